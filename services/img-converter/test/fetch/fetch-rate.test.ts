import { afterEach, describe, expect, it } from "vitest";
import {
  closeAll,
  closeFetchers,
  expectAppError,
  startServer,
  type TestServer,
  testFetcher,
} from "./support";

afterEach(async () => {
  await closeFetchers();
  await closeAll();
});

const allowed = (server: TestServer) => ({ allowPrivate: [`127.0.0.1:${server.port}`] });

/** Headers for a 100 KB body, then `bytes` bytes every `everyMs` (none: after the first write). */
function trickler(first: number, bytes: number, everyMs: number) {
  return startServer((req, res) => {
    res.writeHead(200, { "content-type": "image/jpeg", "content-length": "100000" });
    res.write(Buffer.alloc(first, 1));
    const timer = bytes > 0 ? setInterval(() => res.write(Buffer.alloc(bytes, 1)), everyMs) : undefined;
    req.socket.once("close", () => clearInterval(timer));
  });
}

describe("the minimum source rate", () => {
  it("cuts off a body under the rate once its first window has passed (504 source_too_slow, socket closed), not one above it", async () => {
    const server = await trickler(1, 1, 50); // 20 bytes/s
    const fetcher = testFetcher({ ...allowed(server), minBytesPerSecond: 1000, slowGraceMs: 200 });
    const err = await expectAppError(fetcher.fetch(server.url()), 504, "source_too_slow");
    expect(err.message).toBe("source sent less than 1000 bytes/s over 0.2 s; cut off");
    await server.socketClosed;
    // A slow body that stays above the rate is kept, and nothing is checked at 0 bytes/s.
    const body = Buffer.alloc(40 * 1024, 7);
    const steady = await startServer((_req, res) => {
      res.writeHead(200, { "content-length": String(body.length) });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(body.subarray(sent, sent + 4096));
        sent += 4096;
        if (sent >= body.length) {
          clearInterval(timer);
          res.end();
        }
      }, 40);
    });
    for (const minBytesPerSecond of [1000, 0]) {
      const keeps = testFetcher({ ...allowed(steady), minBytesPerSecond, slowGraceMs: 150 });
      expect((await keeps.fetch(steady.url())).bytes.equals(body)).toBe(true);
    }
  });

  it("judges every window, not the average: a burst then silence is cut off too", async () => {
    // 64 KB at once is 320 KB/s over the first window; nothing after. undici's idle timeout is 1 s here.
    const server = await trickler(64 * 1024, 0, 0);
    const fetcher = testFetcher({ ...allowed(server), minBytesPerSecond: 1000, slowGraceMs: 200 });
    await expectAppError(fetcher.fetch(server.url()), 504, "source_too_slow");
    await server.socketClosed;
  });
});
