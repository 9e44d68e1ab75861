import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/** A canned answer, or a handler for anything unusual (slow bodies, lies, redirects). */
export type Route =
  | { body: Buffer; contentType?: string; status?: number; headers?: Record<string, string> }
  | ((req: IncomingMessage, res: ServerResponse) => void);

export interface ImageServer {
  /** Base URL, e.g. http://127.0.0.1:43211 */
  url: string;
  /** host:port, as ALLOW_PRIVATE_SOURCES wants it. */
  origin: string;
  /** Requests received so far, by path. */
  hits(path: string): number;
  setRoute(path: string, route: Route): void;
  close(): Promise<void>;
}

/** A local HTTP server for source images: tests never need the internet. Unknown paths get 404. */
export async function startImageServer(): Promise<ImageServer> {
  const routes = new Map<string, Route>();
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    } else if (typeof route === "function") {
      route(req, res);
    } else {
      res
        .writeHead(route.status ?? 200, {
          "content-type": route.contentType ?? "application/octet-stream",
          "content-length": String(route.body.length),
          ...route.headers,
        })
        .end(route.body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("image server has no TCP address");
  const origin = `127.0.0.1:${address.port}`;
  return {
    url: `http://${origin}`,
    origin,
    hits: (path) => counts.get(path) ?? 0,
    setRoute: (path, route) => routes.set(path, route),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
