import { readFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, request, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { cpus } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { waitUntil } from "@belfoot/testkit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  NGINX_DIR,
  nginxBinary,
  nginxInstalled,
  type RunningNginx,
  renderTemplate,
  startNginx,
} from "../support/nginx";

// The project's real nginx config, run by the real nginx binary, in front of a small stand-in
// upstream that records what it receives: what nginx itself does, independent of our services.

const MB = 1024 * 1024;

interface Seen {
  method: string;
  url: string;
  httpVersion: string;
  headers: IncomingHttpHeaders;
  bodyLength: number;
  body: Buffer;
}

const seen: Seen[] = [];
let upstreamConnections = 0;
/** Answers to GET /slow, held until a test releases them. */
const held: ServerResponse[] = [];
const bigJson = JSON.stringify({
  items: Array.from({ length: 4000 }, (_, i) => ({ id: i, name: `item-${i}`, ok: true })),
});
const jpeg = Buffer.alloc(5000, 0xab);

function startUpstream(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        httpVersion: req.httpVersion,
        headers: req.headers,
        bodyLength: body.length,
        // Keep small bodies only: the large-upload test sends 31 MB.
        body: body.length <= 64 * 1024 ? body : Buffer.alloc(0),
      });
      // Must be hidden by nginx: clients should not learn what runs behind it.
      res.setHeader("server", "upstream-secret/9.9.9");
      res.setHeader("x-request-id", "upstream-must-not-win");
      const url = new URL(req.url ?? "/", "http://upstream");
      if (req.method === "POST" && url.pathname === "/echo") {
        res.writeHead(201, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ status: 201, received: JSON.parse(body.toString("utf8")) }));
      } else if (req.method === "POST" && url.pathname === "/img") {
        res.writeHead(201, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ status: 201, bytes: body.length }));
      } else if (url.pathname === "/slow") {
        held.push(res);
      } else if (url.pathname === "/big.json") {
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        res.end(bigJson);
      } else if (url.pathname === "/articles/A1") {
        // Node drops the body of a HEAD answer by itself and keeps the headers, as Fastify does.
        res.writeHead(200, {
          "content-type": "image/jpeg",
          "content-length": jpeg.length,
          "cache-control": "private, max-age=3600",
          etag: '"abc"',
        });
        res.end(jpeg);
      } else {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: 404, code: "not_found" }));
      }
    });
  });
  // Like Fastify (72s): longer than nginx's upstream keepalive_timeout, as in production.
  server.keepAliveTimeout = 65_000;
  server.on("connection", () => upstreamConnections++);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One request over a fresh connection. `body` may be a Buffer (sent with Content-Length) or a number
 * of bytes to stream chunked. nginx may answer and close before a refused body is fully sent: once
 * the answer is in, errors on the request side are expected and ignored.
 */
function send(
  base: string,
  pathname: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: Buffer | { chunked: number };
    /** Another loopback address to send from: nginx's per-address limits key on it. */
    localAddress?: string;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      `${base}${pathname}`,
      {
        method: opts.method ?? (opts.body ? "POST" : "GET"),
        headers: opts.headers,
        agent: false,
        localAddress: opts.localAddress,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    const body = opts.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else void streamChunked(req, body.chunked, () => answered);
  });
}

async function streamChunked(req: ReturnType<typeof request>, total: number, answered: () => boolean) {
  const chunk = Buffer.alloc(MB, 0x61);
  for (let sent = 0; sent < total && !answered() && !req.destroyed; sent += chunk.length) {
    if (!req.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          req.off("drain", done).off("close", done);
          resolve();
        };
        req.on("drain", done).on("close", done);
      });
    }
  }
  if (!req.destroyed) req.end();
}

/**
 * Bytes as they are, over one connection, for what an HTTP client will not send (a malformed request
 * line, a huge header). nginx closes the connection after such an answer: read it all.
 */
function sendRaw(port: number, data: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(data));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      const [statusLine = "", ...lines] = text.slice(0, split).split("\r\n");
      const headers: IncomingHttpHeaders = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        status: Number(statusLine.split(" ")[1]),
        headers,
        body: Buffer.from(text.slice(split + 4), "latin1"),
      });
    });
  });
}

/** The access log is written just after the answer leaves: wait until it is there. */
async function accessLogLine(nginx: RunningNginx, requestId: string): Promise<Record<string, unknown>> {
  let line: string | undefined;
  await waitUntil(`the access log has a line for ${requestId}`, async () => {
    line = (await nginx.logs()).access.split("\n").find((l) => l.includes(requestId));
    return line !== undefined;
  });
  return JSON.parse(line ?? "");
}

let upstream: Server;
let nginx: RunningNginx;

beforeAll(async () => {
  if (!nginxInstalled) return;
  upstream = await startUpstream();
  nginx = await startNginx({ upstream: `127.0.0.1:${(upstream.address() as AddressInfo).port}` });
});
afterAll(async () => {
  if (!nginxInstalled) return;
  await nginx?.stop();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe.skipIf(!nginxInstalled)("nginx in front of admin-auth", () => {
  it("proxies a JSON POST and returns the upstream's status and body", async () => {
    const before = seen.length;
    const res = await send(nginx.url, "/echo?x=1", {
      body: Buffer.from(JSON.stringify({ user: "u", data: { url: "https://example.test/a.jpg" } })),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(201);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(res.body.toString("utf8"))).toEqual({
      status: 201,
      received: { user: "u", data: { url: "https://example.test/a.jpg" } },
    });
    expect(seen.length).toBe(before + 1);
    const got = seen.at(-1) as Seen;
    expect(got).toMatchObject({ method: "POST", url: "/echo?x=1", httpVersion: "1.1" });
    expect(got.headers["content-type"]).toBe("application/json");
  });

  it("tells the upstream who the client is, and ignores a client's own X-Forwarded-For", async () => {
    await send(nginx.url, "/echo", {
      body: Buffer.from("{}"),
      headers: { "content-type": "application/json", "x-forwarded-for": "6.6.6.6", connection: "close" },
    });
    const { headers } = seen.at(-1) as Seen;
    expect(headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(headers["x-forwarded-proto"]).toBe("http");
    expect(headers["x-forwarded-host"]).toBe(new URL(nginx.url).host);
    expect(headers.host).toBe("127.0.0.1");
    // Connection "" : the client's "close" is not passed on, the upstream connection stays reusable.
    expect(headers.connection).toBeUndefined();
  });

  it("generates an X-Request-Id when the client sends none, and logs it", async () => {
    const res = await send(nginx.url, "/echo", { body: Buffer.from("{}") });
    const id = seen.at(-1)?.headers["x-request-id"];
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    // nginx's id, not the upstream's header: there is exactly one.
    expect(res.headers["x-request-id"]).toBe(id);
    const line = await accessLogLine(nginx, id as string);
    expect(line).toMatchObject({ request_id: id, method: "POST", uri: "/echo", status: 201 });
    expect(line.upstream_addr).toBe(`127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });

  it("keeps a client's X-Request-Id, and replaces one that does not look like an id", async () => {
    const kept = await send(nginx.url, "/echo", {
      body: Buffer.from("{}"),
      headers: { "x-request-id": "client-req_42.a:b" },
    });
    expect(seen.at(-1)?.headers["x-request-id"]).toBe("client-req_42.a:b");
    expect(kept.headers["x-request-id"]).toBe("client-req_42.a:b");

    for (const bad of ['x"}, "admin": true', "a".repeat(129)]) {
      const replaced = await send(nginx.url, "/echo", {
        body: Buffer.from("{}"),
        headers: { "x-request-id": bad },
      });
      expect(seen.at(-1)?.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
      expect(replaced.headers["x-request-id"]).toBe(seen.at(-1)?.headers["x-request-id"]);
    }
  });

  it("reuses upstream connections (keepalive)", async () => {
    const before = upstreamConnections;
    const requests = 20;
    for (let i = 0; i < requests; i++) expect((await send(nginx.url, "/big.json")).status).toBe(200);
    // Each nginx worker keeps its own pool: at most one new connection per worker, not per request.
    expect(upstreamConnections - before).toBeLessThanOrEqual(Math.min(cpus().length, requests - 1));
  });

  it("passes a 31 MB upload (30 MB of base64 inside JSON) whole", async () => {
    const body = Buffer.alloc(31 * MB, 0x41);
    const res = await send(nginx.url, "/img", { body, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body.toString("utf8"))).toEqual({ status: 201, bytes: body.length });
    expect(seen.at(-1)?.bodyLength).toBe(body.length);
  });

  it("refuses a body over 32 MB with 413 before it reaches the upstream (Content-Length)", async () => {
    const before = seen.length;
    const res = await send(nginx.url, "/img", {
      body: Buffer.alloc(33 * MB, 0x41),
      headers: { "content-type": "application/json", "x-request-id": "too-big-1" },
    });
    expect(res.status).toBe(413);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.headers["x-request-id"]).toBe("too-big-1");
    expect(JSON.parse(res.body.toString("utf8"))).toEqual({
      status: 413,
      code: "body_too_large",
      message: "request body too large: at most 32 MB for POST /img, 1 MB elsewhere",
      request_id: "too-big-1",
    });
    expect(seen.length).toBe(before);
  });

  it("refuses a chunked body over 32 MB with 413 before it reaches the upstream", async () => {
    const before = seen.length;
    const res = await send(nginx.url, "/img", {
      body: { chunked: 33 * MB },
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString("utf8"))).toMatchObject({ status: 413, code: "body_too_large" });
    expect(seen.length).toBe(before);
  });

  it("keeps bodies to 1 MB everywhere but POST /img: 2 MB to /health or /convert is refused unread", async () => {
    const before = seen.length;
    for (const p of ["/health", "/convert", "/echo", "/img/7"]) {
      const res = await send(nginx.url, p, {
        body: Buffer.alloc(2 * MB, 0x41),
        headers: { "content-type": "application/json", "x-request-id": "two-mb" },
      });
      expect(res.status, p).toBe(413);
      expect(res.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(res.body.toString("utf8"))).toMatchObject({ status: 413, code: "body_too_large" });
    }
    expect(seen.length).toBe(before);
    // Just under the limit still passes.
    const json = Buffer.from(JSON.stringify({ pad: "a".repeat(MB - 100) }));
    expect((await send(nginx.url, "/echo", { body: json })).status).toBe(201);
  });

  it("answers what it cannot parse in the JSON error shape, never an HTML page, and passes none of it on", async () => {
    const before = seen.length;
    const cases: [string, string, number, string][] = [
      ["not HTTP at all", "GARBAGE\r\n\r\n", 400, "bad_request"],
      ["an unknown HTTP version", "GET / HTTP/9.9\r\nHost: x\r\n\r\n", 505, "http_version_not_supported"],
      ["a 9 KB URI", `GET /${"a".repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414, "uri_too_long"],
      ["a 9 KB header", `GET / HTTP/1.1\r\nHost: x\r\nX-A: ${"a".repeat(9000)}\r\n\r\n`, 400, "bad_request"],
      [
        "a header line without a colon",
        "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        400,
        "bad_request",
      ],
      ["HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400, "bad_request"],
      [
        "a Content-Length that is no number",
        "POST /convert HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        400,
        "bad_request",
      ],
      [
        "a transfer coding nginx lacks",
        "POST /convert HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        501,
        "not_implemented",
      ],
      [
        "one of the error pages asked for",
        "GET /_belfoot_error/500 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        404,
        "not_found",
      ],
    ];
    for (const [what, data, status, code] of cases) {
      const res = await sendRaw(nginx.port, data);
      expect(res.status, what).toBe(status);
      expect(res.headers["content-type"], what).toBe("application/json");
      const body = JSON.parse(res.body.toString("utf8"));
      expect(body, what).toEqual({
        status,
        code,
        message: expect.any(String),
        request_id: res.headers["x-request-id"],
      });
      expect(body.request_id, what).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(seen.length).toBe(before);
  });

  it("limits the requests in progress from one address (32), in JSON, and not those of another", async () => {
    const pending = Array.from({ length: 32 }, () => send(nginx.url, "/slow", { localAddress: "127.0.0.5" }));
    const until = (n: number) => waitUntil(`the upstream holds ${n} requests`, () => held.length === n);
    try {
      await until(32);
      const refused = await send(nginx.url, "/slow", {
        localAddress: "127.0.0.5",
        headers: { "x-request-id": "conn-33" },
      });
      expect(refused.status).toBe(429);
      expect(refused.headers["retry-after"]).toBe("1");
      expect(JSON.parse(refused.body.toString("utf8"))).toEqual({
        status: 429,
        code: "too_many_requests",
        message: "too many requests from this address; retry later",
        request_id: "conn-33",
      });
      expect(held.length).toBe(32);
      // Another client is not held back by this one.
      pending.push(send(nginx.url, "/slow", { localAddress: "127.0.0.6" }));
      await until(33);
    } finally {
      for (const res of held.splice(0)) res.writeHead(200, { "content-type": "application/json" }).end("{}");
    }
    for (const res of await Promise.all(pending)) expect(res.status).toBe(200);
    expect((await nginx.logs()).error).toMatch(
      /limiting connections by zone "belfoot_connections", client: 127\.0\.0\.5/,
    );
  });

  it("does not reveal its version or the upstream's Server header", async () => {
    const res = await send(nginx.url, "/big.json");
    expect(res.headers.server).toBe("nginx");
  });

  it("gzips a large JSON answer for a client that accepts it, and only then", async () => {
    const zipped = await send(nginx.url, "/big.json", { headers: { "accept-encoding": "gzip" } });
    expect(zipped.status).toBe(200);
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toMatch(/accept-encoding/i);
    expect(zipped.body.length).toBeLessThan(bigJson.length / 4);
    expect(gunzipSync(zipped.body).toString("utf8")).toBe(bigJson);

    const plain = await send(nginx.url, "/big.json");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString("utf8")).toBe(bigJson);
  });

  it("serves images as the upstream sent them: not gzipped, not cached, caching headers untouched", async () => {
    const before = seen.length;
    for (let i = 0; i < 2; i++) {
      const res = await send(nginx.url, "/articles/A1", { headers: { "accept-encoding": "gzip" } });
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe("image/jpeg");
      expect(res.headers["content-encoding"]).toBeUndefined();
      expect(res.headers["cache-control"]).toBe("private, max-age=3600");
      expect(res.headers.etag).toBe('"abc"');
      expect(res.body.equals(jpeg)).toBe(true);
    }
    // Both reads reached the upstream, which checks credentials on every one.
    expect(seen.length).toBe(before + 2);
  });

  it("passes HEAD through as HEAD", async () => {
    const res = await send(nginx.url, "/articles/A1", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("image/jpeg");
    expect(res.headers["content-length"]).toBe(String(jpeg.length));
    expect(res.body.length).toBe(0);
    expect(seen.at(-1)?.method).toBe("HEAD");
  });

  it("does not publish /metrics", async () => {
    const before = seen.length;
    for (const p of ["/metrics", "/metrics?x=1", "//metrics", "/%6Detrics"]) {
      const res = await send(nginx.url, p);
      expect(res.status, p).toBe(404);
      expect(JSON.parse(res.body.toString("utf8"))).toMatchObject({ status: 404, code: "not_found" });
    }
    expect(seen.length).toBe(before);
  });

  it("answers 503 in JSON, with Retry-After, when admin-auth is unreachable", async () => {
    // A port nobody listens on: take one, then free it.
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const down = await startNginx({ upstream: `127.0.0.1:${closed}` });
    try {
      const res = await send(down.url, "/convert", {
        body: Buffer.from("{}"),
        headers: { "x-request-id": "down-1" },
      });
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe("5");
      expect(res.headers["x-request-id"]).toBe("down-1");
      expect(JSON.parse(res.body.toString("utf8"))).toMatchObject({
        status: 503,
        code: "service_unavailable",
        request_id: "down-1",
      });
    } finally {
      await down.stop();
    }
  });
});

describe.skipIf(!nginxInstalled)("the nginx config files", () => {
  it("have one upstream, admin-auth, and nothing that reaches the converter", async () => {
    const template = await readFile(path.join(NGINX_DIR, "templates/belfoot.conf.template"), "utf8");
    const main = await readFile(path.join(NGINX_DIR, "nginx.conf"), "utf8");
    const directives = (text: string) => text.replace(/#.*$/gm, "");
    expect(directives(template).match(/^\s*upstream\s/gm)).toHaveLength(1);
    expect(directives(template)).toMatch(/server \$\{ADMIN_AUTH_UPSTREAM\};/);
    for (const text of [template, main]) expect(directives(text)).not.toMatch(/converter|8081/);
    // Every proxy_pass goes to that one upstream (the caches' to admin-auth's internal routes).
    for (const [, target] of directives(template).matchAll(/proxy_pass\s+([^;]+);/g)) {
      expect(target).toMatch(/^http:\/\/belfoot_admin_auth(\/_internal\/images\/\S*)?$/);
    }
  });

  it("render like envsubst, and refuse a variable the image would also substitute", () => {
    const vars = { ADMIN_AUTH_UPSTREAM: "a:1", NGINX_PORT: "80" };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: envsubst's syntax, not a JavaScript template
    expect(renderTemplate("server ${ADMIN_AUTH_UPSTREAM}; listen $NGINX_PORT; $host", vars)).toBe(
      "server a:1; listen 80; $host",
    );
    expect(() => renderTemplate("root $HOME;", vars)).toThrow(/\$HOME/);
  });

  it("finds the nginx binary", () => {
    expect(nginxBinary()).toMatch(/nginx$/);
  });
});
