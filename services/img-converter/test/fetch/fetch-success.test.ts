import { randomBytes } from "node:crypto";
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

const allowed = (...servers: TestServer[]) => ({ allowPrivate: servers.map((s) => `127.0.0.1:${s.port}`) });

describe("fetching an allowed source", () => {
  it("returns the body bytes unchanged with the Content-Type", async () => {
    const image = randomBytes(300 * 1024);
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "image/webp" });
      res.end(image);
    });
    const result = await testFetcher(allowed(server)).fetch(server.url("/a.webp?x=1#frag"));
    expect(result.bytes.equals(image)).toBe(true);
    expect(result.contentType).toBe("image/webp");
    expect(result.finalUrl).toBe(server.url("/a.webp?x=1"));
    expect(result.redirects).toBe(0);
  });

  it("reports an absent Content-Type as undefined and sends the User-Agent", async () => {
    let userAgent: string | undefined;
    const server = await startServer((req, res) => {
      userAgent = req.headers["user-agent"];
      res.end("x");
    });
    const result = await testFetcher({ ...allowed(server), userAgent: "belfoot-test/1" }).fetch(server.url());
    expect(result.contentType).toBeUndefined();
    expect(result.bytes.toString()).toBe("x");
    expect(userAgent).toBe("belfoot-test/1");
  });

  it("follows relative and absolute redirects, counting them", async () => {
    const target = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "image/png" });
      res.end("png");
    });
    const hopper = await startServer((req, res) => {
      const next: Record<string, [number, string]> = {
        "/start": [301, "/second"],
        "/second": [302, "third"],
        "/third": [303, `//127.0.0.1:${target.port}/via-protocol-relative`],
      };
      const [status, location] = next[req.url ?? ""] ?? [404, ""];
      res.writeHead(status, location ? { location } : {});
      res.end("redirect body");
    });
    const fetcher = testFetcher(allowed(hopper, target));
    const result = await fetcher.fetch(hopper.url("/start"));
    expect(result.bytes.toString()).toBe("png");
    expect(result.redirects).toBe(3);
    expect(result.finalUrl).toBe(target.url("/via-protocol-relative"));
    expect(hopper.hits).toBe(3);
  });

  it("follows 307 and 308 up to exactly maxRedirects", async () => {
    const server = await startServer((req, res) => {
      const n = Number(req.url?.slice(1));
      if (n < 4) res.writeHead(n % 2 === 0 ? 307 : 308, { location: `/${n + 1}` }).end();
      else res.end(`done at ${n}`);
    });
    const result = await testFetcher({ ...allowed(server), maxRedirects: 4 }).fetch(server.url("/0"));
    expect(result.bytes.toString()).toBe("done at 4");
    expect(result.redirects).toBe(4);
  });
});

describe("redirect refusals", () => {
  it("refuses more than maxRedirects with 502 too_many_redirects", async () => {
    const server = await startServer((req, res) => {
      res.writeHead(302, { location: `/${Number(req.url?.slice(1)) + 1}` }).end();
    });
    await expectAppError(
      testFetcher({ ...allowed(server), maxRedirects: 3 }).fetch(server.url("/0")),
      502,
      "too_many_redirects",
    );
    expect(server.hits).toBe(4);
  });

  it("detects a redirect loop with 502 redirect_loop", async () => {
    const server = await startServer((req, res) => {
      res.writeHead(302, { location: req.url === "/a" ? "/b" : "/a" }).end();
    });
    await expectAppError(testFetcher(allowed(server)).fetch(server.url("/a")), 502, "redirect_loop");
    expect(server.hits).toBe(2);
  });

  it("refuses a redirect to a non-allowed loopback port; that server never sees a request", async () => {
    const internal = await startServer((_req, res) => res.end("secret"));
    const source = await startServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/admin` }).end();
    });
    const err = await expectAppError(
      testFetcher(allowed(source)).fetch(source.url()),
      403,
      "source_forbidden",
    );
    expect(err.detail?.source_range).toBe("loopback");
    expect(internal.hits).toBe(0);
  });

  it("refuses a redirect to the cloud metadata address and to a name resolving privately", async () => {
    const source = await startServer((req, res) => {
      const location = req.url === "/meta" ? "http://169.254.169.254/latest/meta-data/" : "http://localhost/";
      res.writeHead(301, { location }).end();
    });
    const fetcher = testFetcher(allowed(source));
    const meta = await expectAppError(fetcher.fetch(source.url("/meta")), 403, "source_forbidden");
    expect(meta.detail?.source_range).toBe("linkLocal");
    await expectAppError(fetcher.fetch(source.url("/name")), 403, "source_forbidden");
  });

  it("answers 502 for a redirect to an unusable scheme", async () => {
    const source = await startServer((_req, res) =>
      res.writeHead(302, { location: "file:///etc/passwd" }).end(),
    );
    await expectAppError(testFetcher(allowed(source)).fetch(source.url()), 502, "source_error");
  });
});
