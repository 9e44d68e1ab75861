import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from "./self-signed";
import {
  closeAll,
  closedPort,
  closeFetchers,
  expectAppError,
  fakeLookup,
  scriptedLookup,
  startServer,
  type TestServer,
  testFetcher,
} from "./support";

afterEach(async () => {
  await closeFetchers();
  await closeAll();
});

const CAP = 64 * 1024;
const allowed = (server: TestServer | number) => [
  `127.0.0.1:${typeof server === "number" ? server : server.port}`,
];

/** Writes 16 KiB chunks until `total` bytes are out (or forever) or the socket goes away. */
function pump(res: NodeJS.WritableStream & { destroyed: boolean }, total = Number.POSITIVE_INFINITY) {
  const chunk = Buffer.alloc(16 * 1024, 0x61);
  let sent = 0;
  const more = () => {
    while (!res.destroyed && sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once("drain", more);
    }
    if (!res.destroyed) res.end();
  };
  more();
  return () => sent;
}

/** A raw TCP server: answers any request with `head` and then an endless body. */
async function startRawServer(head: string) {
  const sockets: Socket[] = [];
  let markClosed: () => void = () => {};
  const socketClosed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on("close", markClosed);
    socket.on("error", () => {});
    socket.once("data", () => {
      socket.write(head);
      pump(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  rawServers.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, socketClosed };
}

const rawServers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(rawServers.splice(0).map((close) => close()));
});

describe("size cap", () => {
  it("refuses a declared Content-Length above the cap without reading the body", async () => {
    // Headers only: if the fetcher waited for the body it would hit the timeout instead.
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-length": String(CAP + 1) });
      res.flushHeaders();
    });
    const started = Date.now();
    const fetcher = testFetcher({ maxBytes: CAP, allowPrivate: allowed(server), totalTimeoutMs: 3_000 });
    await expectAppError(fetcher.fetch(server.url()), 413, "source_too_large");
    expect(Date.now() - started).toBeLessThan(1_000);
    await server.socketClosed;
  });

  it("accepts a body of exactly the cap", async () => {
    const server = await startServer((_req, res) => res.end(Buffer.alloc(CAP, 1)));
    const result = await testFetcher({ maxBytes: CAP, allowPrivate: allowed(server) }).fetch(server.url());
    expect(result.bytes.length).toBe(CAP);
  });

  it("cuts a chunked body without Content-Length at cap+1 and closes the socket", async () => {
    let sent = () => 0;
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "image/jpeg" });
      sent = pump(res, 16 * 1024 * 1024);
    });
    const fetcher = testFetcher({ maxBytes: CAP, allowPrivate: allowed(server) });
    await expectAppError(fetcher.fetch(server.url()), 413, "source_too_large");
    await server.socketClosed;
    expect(sent()).toBeLessThan(16 * 1024 * 1024);
  });

  it("cuts an endless body quickly", async () => {
    const server = await startServer((_req, res) => {
      pump(res);
    });
    const started = Date.now();
    await expectAppError(
      testFetcher({ maxBytes: CAP, allowPrivate: allowed(server) }).fetch(server.url()),
      413,
      "source_too_large",
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    await server.socketClosed;
  });

  it("reads no more than an understated Content-Length, whatever follows", async () => {
    const raw = await startRawServer("HTTP/1.1 200 OK\r\ncontent-length: 1000\r\nconnection: close\r\n\r\n");
    const fetcher = testFetcher({ maxBytes: CAP, allowPrivate: allowed(raw.port) });
    const result = await fetcher.fetch(`http://127.0.0.1:${raw.port}/`);
    expect(result.bytes.length).toBe(1000);
  });

  it("cuts a close-delimited body (no Content-Length, not chunked) at cap+1", async () => {
    const raw = await startRawServer("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n");
    const fetcher = testFetcher({ maxBytes: CAP, allowPrivate: allowed(raw.port) });
    await expectAppError(fetcher.fetch(`http://127.0.0.1:${raw.port}/`), 413, "source_too_large");
    await raw.socketClosed;
  });
});

describe("timeouts", () => {
  it("ends a 1-byte-per-second source with 504 at the total limit", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write("x"), 1_000);
      res.on("close", () => clearInterval(timer));
      res.write("x");
    });
    const started = Date.now();
    const fetcher = testFetcher({
      allowPrivate: allowed(server),
      totalTimeoutMs: 1_500,
      headersTimeoutMs: 2_500,
    });
    const err = await expectAppError(fetcher.fetch(server.url()), 504, "source_timeout");
    const elapsed = Date.now() - started;
    expect(err.message).toContain("total");
    // Not cut short before the total limit (the message says which limit ended it).
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    await server.socketClosed;
  });

  it("answers 504 when headers never come", async () => {
    const server = await startServer(() => {});
    const fetcher = testFetcher({ allowPrivate: allowed(server), headersTimeoutMs: 400 });
    const err = await expectAppError(fetcher.fetch(server.url()), 504, "source_timeout");
    expect(err.message).toContain("headers");
  });

  it("answers 504 when the body stalls", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write("start");
    });
    const fetcher = testFetcher({ allowPrivate: allowed(server), headersTimeoutMs: 400 });
    const err = await expectAppError(fetcher.fetch(server.url()), 504, "source_timeout");
    expect(err.message).toContain("body");
  });

  it("answers 504 when connecting takes too long (a resolver that never answers)", async () => {
    const silent = scriptedLookup(() => []);
    const never: typeof silent = Object.assign(() => {}, { calls: silent.calls });
    const fetcher = testFetcher({
      lookup: never,
      allowPrivate: ["slow.example.test:80"],
      connectTimeoutMs: 300,
    });
    const err = await expectAppError(fetcher.fetch("http://slow.example.test/"), 504, "source_timeout");
    expect(err.message).toContain("connect");
  });

  it("rejects with 499 request_aborted when the caller cancels", async () => {
    const server = await startServer(() => {});
    const fetcher = testFetcher({ allowPrivate: allowed(server) });
    await expectAppError(fetcher.fetch(server.url(), AbortSignal.timeout(100)), 499, "request_aborted");
  });
});

describe("upstream failures -> 502 source_error", () => {
  it("connection refused on an allow-listed closed port", async () => {
    const port = await closedPort();
    const err = await expectAppError(
      testFetcher({ allowPrivate: allowed(port) }).fetch(`http://127.0.0.1:${port}/`),
      502,
      "source_error",
    );
    expect(err.message).toContain("ECONNREFUSED");
    expect(err.cause).toBeInstanceOf(Error);
  });

  it.each([404, 500, 304])("upstream %i, with the status in the message", async (status) => {
    const server = await startServer((_req, res) => res.writeHead(status).end("nope"));
    const err = await expectAppError(
      testFetcher({ allowPrivate: allowed(server) }).fetch(server.url()),
      502,
      "source_error",
    );
    expect(err.message).toContain(String(status));
  });

  it("a redirect status without Location is a failure, not a hop", async () => {
    const server = await startServer((_req, res) => res.writeHead(302).end());
    const err = await expectAppError(
      testFetcher({ allowPrivate: allowed(server) }).fetch(server.url()),
      502,
      "source_error",
    );
    expect(err.message).toContain("302");
  });

  it("a connection reset mid-body", async () => {
    const server = await startServer((req, res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write("partial", () => req.socket.destroy());
    });
    await expectAppError(
      testFetcher({ allowPrivate: allowed(server) }).fetch(server.url()),
      502,
      "source_error",
    );
  });

  it("a TLS handshake against a plain HTTP port", async () => {
    const server = await startServer((_req, res) => res.end("plain"));
    await expectAppError(
      testFetcher({ allowPrivate: allowed(server) }).fetch(`https://127.0.0.1:${server.port}/`),
      502,
      "source_error",
    );
  });

  it("an untrusted (self-signed) certificate, reached through the guarded lookup", async () => {
    const server = createHttpsServer({ key: SELF_SIGNED_KEY, cert: SELF_SIGNED_CERT }, (_req, res) =>
      res.end("x"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    rawServers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const lookup = fakeLookup("127.0.0.1");
    const fetcher = testFetcher({ lookup, allowPrivate: [`localhost:${port}`] });
    const err = await expectAppError(fetcher.fetch(`https://localhost:${port}/`), 502, "source_error");
    expect(err.message).toContain("TLS");
    expect(lookup.calls).toEqual(["localhost"]);
  });
});
