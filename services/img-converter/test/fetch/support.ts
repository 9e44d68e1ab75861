import type { LookupAddress } from "node:dns";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, LookupFunction } from "node:net";
import { AppError } from "@belfoot/errors";
import { expect } from "vitest";
import { createSourceFetcher, type FetchPolicy } from "../../src/fetch";

export interface TestServer {
  port: number;
  /** http://host:port + path, with IPv6 hosts bracketed. */
  url(path?: string): string;
  /** Requests received so far. */
  hits: number;
  /** Resolves once a client socket of this server has closed. */
  socketClosed: Promise<void>;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const open: Server[] = [];

/** A node:http server on a loopback address and an ephemeral port, closed by closeAll(). */
export async function startServer(handler: Handler, host = "127.0.0.1"): Promise<TestServer> {
  let markClosed: () => void = () => {};
  const socketClosed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const server = createServer((req, res) => {
    state.hits++;
    handler(req, res);
  });
  server.on("connection", (socket) => socket.on("close", markClosed));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  open.push(server);
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(":") ? `[${host}]` : host;
  const state: TestServer = {
    port,
    url: (path = "/") => `http://${shown}:${port}${path}`,
    hits: 0,
    socketClosed,
    close: () => closeServer(server),
  };
  return state;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map(closeServer));
}

/** A port nothing listens on: bind, read the port, close. */
export async function closedPort(): Promise<number> {
  const s = await startServer(() => {});
  await s.close();
  return s.port;
}

type Fetcher = ReturnType<typeof createSourceFetcher>;
const fetchers: Fetcher[] = [];

/** Short limits so failure paths stay fast; every fetcher is closed by closeFetchers(). */
export function testFetcher(overrides: Partial<FetchPolicy> = {}): Fetcher {
  const fetcher = createSourceFetcher({
    maxBytes: 1024 * 1024,
    connectTimeoutMs: 1_000,
    headersTimeoutMs: 1_000,
    totalTimeoutMs: 5_000,
    maxRedirects: 5,
    allowPrivate: [],
    ...overrides,
  });
  fetchers.push(fetcher);
  return fetcher;
}

export async function closeFetchers(): Promise<void> {
  await Promise.all(fetchers.splice(0).map((f) => f.close()));
}

/** A fake resolver whose n-th call (0-based) answers script(n); it records the names asked. */
export function scriptedLookup(script: (call: number) => string[]): LookupFunction & { calls: string[] } {
  const calls: string[] = [];
  const lookup: LookupFunction = (hostname, _options, callback) => {
    const answers: LookupAddress[] = script(calls.length).map((address) => ({
      address,
      family: address.includes(":") ? 6 : 4,
    }));
    calls.push(hostname);
    setImmediate(() => callback(null, answers));
  };
  return Object.assign(lookup, { calls });
}

/** A fake resolver answering every name with these addresses. */
export const fakeLookup = (...addresses: string[]) => scriptedLookup(() => addresses);

/** A resolver that fails like getaddrinfo does for an unknown name. */
export const notFoundLookup: LookupFunction = (hostname, _options, callback) => {
  const err: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: "ENOTFOUND",
    hostname,
  });
  setImmediate(() => callback(err, []));
};

/** Awaits a rejection and checks it is an AppError with this status and code. */
export async function expectAppError(
  promise: Promise<unknown>,
  status: number,
  code: string,
): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  const app = err as AppError;
  expect({ status: app.status, code: app.code, message: app.message }).toMatchObject({ status, code });
  return app;
}
