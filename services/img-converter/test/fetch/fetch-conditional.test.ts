import { afterEach, describe, expect, it } from "vitest";
import { closeAll, closeFetchers, startServer, type TestServer, testFetcher } from "./support";

afterEach(async () => {
  await closeFetchers();
  await closeAll();
});

const allowed = (...servers: TestServer[]) => ({ allowPrivate: servers.map((s) => `127.0.0.1:${s.port}`) });

/** A source with validators that answers 304 to a matching If-None-Match or If-Modified-Since. */
async function validatingSource() {
  const seen: { ifNoneMatch?: string; ifModifiedSince?: string }[] = [];
  const server = await startServer((req, res) => {
    const ifNoneMatch = req.headers["if-none-match"];
    const ifModifiedSince = req.headers["if-modified-since"];
    seen.push({ ifNoneMatch, ifModifiedSince });
    const validators = { etag: '"v1"', "last-modified": "Tue, 01 Dec 2026 10:00:00 GMT" };
    if (ifNoneMatch === '"v1"' || (!ifNoneMatch && ifModifiedSince === validators["last-modified"])) {
      res.writeHead(304, validators);
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "image/png", ...validators });
    res.end("png-bytes");
  });
  return { server, seen };
}

describe("conditional fetches", () => {
  it("reports the source's ETag and Last-Modified and sends no conditions without validators", async () => {
    const { server, seen } = await validatingSource();
    const result = await testFetcher(allowed(server)).fetchIfChanged(server.url("/a.png"), undefined);
    expect(result).toMatchObject({ etag: '"v1"', lastModified: "Tue, 01 Dec 2026 10:00:00 GMT" });
    expect(seen).toEqual([{}]);
  });

  it("sends If-None-Match and If-Modified-Since and answers notModified on 304", async () => {
    const { server, seen } = await validatingSource();
    const fetcher = testFetcher(allowed(server));
    const validators = { etag: '"v1"', lastModified: "Tue, 01 Dec 2026 10:00:00 GMT" };
    const result = await fetcher.fetchIfChanged(server.url("/a.png"), validators);
    expect(result).toEqual({ notModified: true, finalUrl: server.url("/a.png") });
    expect(seen).toEqual([{ ifNoneMatch: '"v1"', ifModifiedSince: validators.lastModified }]);
    const byDate = await fetcher.fetchIfChanged(server.url("/a.png"), {
      lastModified: validators.lastModified,
    });
    expect(byDate).toMatchObject({ notModified: true });
  });

  it("returns the new bytes when the validators no longer match", async () => {
    const { server } = await validatingSource();
    const result = await testFetcher(allowed(server)).fetchIfChanged(server.url("/a.png"), { etag: '"v0"' });
    expect("bytes" in result && result.bytes.toString()).toBe("png-bytes");
  });

  it("treats a 304 it did not ask for as the source error it is", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(304);
      res.end();
    });
    await expect(testFetcher(allowed(server)).fetch(server.url("/a.png"))).rejects.toMatchObject({
      code: "source_error",
    });
  });
});
