import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createUser } from "@belfoot/db";
import { corpusPath, countImages, type ImageServer, startImageServer } from "@belfoot/testkit";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../services/admin-auth/src/auth/passwords";
import { basic, http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
const dune = await readFile(corpusPath("mate-dune.jpg"));
const coffee = await readFile(corpusPath("skimage-coffee.png"));

beforeAll(async () => {
  images = await startImageServer();
  images.setRoute("/dune.jpg", { body: dune, contentType: "image/jpeg" });
  images.setRoute("/coffee.png", { body: coffee, contentType: "image/png" });
  images.setRoute("/page.html", { body: Buffer.from("<html>not an image</html>"), contentType: "text/html" });
  images.setRoute("/big.jpg", { body: Buffer.alloc(2_100_000, 1), contentType: "image/jpeg" });
  stack = await startStack({
    env: { ALLOW_PRIVATE_SOURCES: `${images.origin},127.0.0.1:1`, MAX_SOURCE_BYTES: "2000000" },
  });
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

const convert = (url: string, articleId: string, user: { username: string; password: string } = ADMIN) =>
  http(`${stack.url}/convert`, { json: { user, data: { url, article_id: articleId } } });

describe("POST /convert then GET /articles/:id", () => {
  it("stores a ≤ budget JPEG and serves it back with ETag and caching headers", async () => {
    const posted = await convert(`${images.url}/dune.jpg`, "A-1001");
    expect(posted.status).toBe(201);
    expect(posted.json).toMatchObject({ status: 201, article_id: "A-1001", content_type: "image/jpeg" });
    expect(posted.json.bytes as number).toBeLessThanOrEqual(184_320);

    const got = await http(`${stack.url}/articles/A-1001`, {
      headers: basic(ADMIN.username, ADMIN.password),
    });
    expect(got.status).toBe(200);
    expect(got.headers["content-type"]).toBe("image/jpeg");
    expect(Number(got.headers["content-length"])).toBe(got.body.length);
    expect(got.body.length).toBe(posted.json.bytes);
    expect(got.headers.etag).toBe(`"${posted.json.sha256}"`);
    expect(got.headers["cache-control"]).toMatch(/^private, max-age=\d+$/);
    const meta = await sharp(got.body).metadata();
    expect(meta.format).toBe("jpeg");
    expect([meta.width, meta.height]).toEqual([posted.json.width, posted.json.height]);
    // Proportions of the 1680x1050 source kept within 1 px.
    expect(Math.abs((meta.height ?? 0) - ((meta.width ?? 0) * 1050) / 1680)).toBeLessThanOrEqual(1);

    const again = await http(`${stack.url}/articles/A-1001`, {
      headers: { ...basic(ADMIN.username, ADMIN.password), "if-none-match": got.headers.etag ?? "" },
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);

    const head = await http(`${stack.url}/articles/A-1001`, {
      method: "HEAD",
      headers: basic(ADMIN.username, ADMIN.password),
    });
    expect(head.status).toBe(200);
    expect(head.headers.etag).toBe(got.headers.etag);
    expect(head.body.length).toBe(0);

    const metaJson = await http(`${stack.url}/articles/A-1001/meta`, {
      headers: basic(ADMIN.username, ADMIN.password),
    });
    expect(metaJson.status).toBe(200);
    expect(metaJson.json).toMatchObject({
      article_id: "A-1001",
      sha256: posted.json.sha256,
      source: {
        url: `${images.url}/dune.jpg`,
        format: "jpeg",
        width: 1680,
        height: 1050,
        bytes: dune.length,
      },
    });
  });

  it("stores the image as bytea, not base64", async () => {
    await convert(`${images.url}/coffee.png`, "A-bytea");
    const [row] = await stack.sql<{ head: string; type: string }[]>`
      select encode(substring(data from 1 for 2), 'hex') as head, pg_typeof(data)::text as type
      from images where article_id = 'A-bytea'`;
    expect(row).toEqual({ head: "ffd8", type: "bytea" });
  });

  it("replaces an article's image in place when the article is posted again", async () => {
    const first = await convert(`${images.url}/dune.jpg`, "A-replace");
    // Read by article and by id before the replacement, so admin-auth's bytes cache holds the old image.
    const read = (path: string) =>
      http(`${stack.url}${path}`, { headers: basic(ADMIN.username, ADMIN.password) });
    expect(sha256((await read("/articles/A-replace")).body)).toBe(first.json.sha256);
    expect(sha256((await read(`/img/${first.json.id}`)).body)).toBe(first.json.sha256);
    const second = await convert(`${images.url}/coffee.png`, "A-replace");
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.json.message).toBe("image replaced");
    expect(second.json.id).toBe(first.json.id);
    expect(second.json.sha256).not.toBe(first.json.sha256);
    const [row] = await stack.sql<{ n: number }[]>`
      select count(*)::int as n from images where article_id = 'A-replace'`;
    expect(row?.n).toBe(1);
    const got = await read("/articles/A-replace");
    expect(got.headers.etag).toBe(`"${second.json.sha256}"`);
    expect(sha256(got.body)).toBe(second.json.sha256);
    expect((await sharp(got.body).metadata()).width).toBe(600);
    expect(sha256((await read(`/img/${first.json.id}`)).body)).toBe(second.json.sha256);
  });

  it("serves an article's image by its id too: one table, one id space", async () => {
    const posted = await convert(`${images.url}/coffee.png`, "A-by-id");
    const byId = await http(`${stack.url}/img/${posted.json.id}`, {
      headers: basic(ADMIN.username, ADMIN.password),
    });
    expect(byId.status).toBe(200);
    expect(byId.headers.etag).toBe(`"${posted.json.sha256}"`);
  });

  it("answers 404 JSON for an article with no image", async () => {
    const got = await http(`${stack.url}/articles/none-here`, {
      headers: basic(ADMIN.username, ADMIN.password),
    });
    expect(got.status).toBe(404);
    expect(got.json).toMatchObject({ status: 404, code: "not_found" });
  });
});

describe("credentials", () => {
  it("refuses a missing user with 401", async () => {
    const res = await http(`${stack.url}/convert`, {
      json: { data: { url: `${images.url}/dune.jpg`, article_id: "X" } },
    });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ status: 401, code: "invalid_credentials" });
  });

  it("answers an unknown user and a wrong password identically", async () => {
    const before = await countImages(stack.sql);
    const unknown = await convert(`${images.url}/dune.jpg`, "X1", {
      username: "nobody",
      password: "whatever-123",
    });
    const wrong = await convert(`${images.url}/dune.jpg`, "X2", {
      username: ADMIN.username,
      password: "wrong-pass-1",
    });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const { request_id: _a, ...a } = unknown.json;
    const { request_id: _b, ...b } = wrong.json;
    expect(a).toEqual(b);
    expect(await countImages(stack.sql)).toBe(before);
  });

  it("refuses reads without credentials and reads of another user's image", async () => {
    await convert(`${images.url}/coffee.png`, "A-owned");
    expect((await http(`${stack.url}/articles/A-owned`)).status).toBe(401);
    await createUser(stack.sql, {
      username: "reader",
      passwordHash: await hashPassword("reader-pass-1"),
      role: "user",
    });
    const other = await http(`${stack.url}/articles/A-owned`, { headers: basic("reader", "reader-pass-1") });
    expect(other.status).toBe(403);
    expect(other.json.code).toBe("forbidden");
  });

  it("lets a user read their own image with body credentials on a GET", async () => {
    await createUser(stack.sql, {
      username: "writer",
      passwordHash: await hashPassword("writer-pass-1"),
      role: "user",
    });
    const writer = { username: "writer", password: "writer-pass-1" };
    expect((await convert(`${images.url}/coffee.png`, "A-writer", writer)).status).toBe(201);
    const got = await http(`${stack.url}/articles/A-writer/meta`, { method: "GET", json: { user: writer } });
    expect(got.status).toBe(200);
    expect(got.json.article_id).toBe("A-writer");
  });
});

describe("bad bodies change nothing", () => {
  const cases: [string, unknown, RegExp][] = [
    ["no data", { user: ADMIN }, /data/],
    ["no url", { user: ADMIN, data: { article_id: "A" } }, /url/],
    ["bad article id", { user: ADMIN, data: { url: "http://x/", article_id: "has space" } }, /article_id/],
    ["extra field", { user: ADMIN, data: { url: "http://x/", article_id: "A", x: 1 } }, /additional/],
    ["url not a string", { user: ADMIN, data: { url: { href: "x" }, article_id: "A" } }, /url/],
  ];
  for (const [name, body, mention] of cases) {
    it(`${name} → 400 naming what is wrong`, async () => {
      const before = await countImages(stack.sql);
      const res = await http(`${stack.url}/convert`, { json: body });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ status: 400, code: "invalid_body" });
      expect(res.json.message).toMatch(mention);
      expect(await countImages(stack.sql)).toBe(before);
    });
  }

  it("malformed JSON → 400", async () => {
    const res = await http(`${stack.url}/convert`, {
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_json");
  });

  it("a body that is not sent as JSON → 415 saying to send application/json", async () => {
    const body = JSON.stringify({ user: ADMIN, data: { url: "http://x/", article_id: "A" } });
    for (const [given, shown] of [
      ["text/plain", '"text/plain"'],
      ["application/x-www-form-urlencoded", '"application/x-www-form-urlencoded"'],
      [undefined, "none"],
    ] as const) {
      const res = await http(`${stack.url}/convert`, {
        body: Buffer.from(body),
        headers: given ? { "content-type": given } : {},
      });
      expect(res.status, given).toBe(415);
      expect(res.json, given).toEqual({
        status: 415,
        code: "unsupported_media_type",
        message: `send the body as JSON with Content-Type: application/json (this request's: ${shown})`,
        request_id: res.headers["x-request-id"],
      });
    }
  });
});

describe("sources that cannot be converted", () => {
  const cases: [string, () => string, number, string][] = [
    ["an unreachable source", () => "http://127.0.0.1:1/x.jpg", 502, "source_error"],
    ["a loopback port not allow-listed", () => "http://127.0.0.1:2/x.jpg", 403, "source_forbidden"],
    ["a page, not an image", () => `${images.url}/page.html`, 422, "not_an_image"],
    ["a source over MAX_SOURCE_BYTES", () => `${images.url}/big.jpg`, 413, "source_too_large"],
    ["a private address", () => "http://10.0.0.1/x.jpg", 403, "source_forbidden"],
    ["a missing file", () => `${images.url}/missing.jpg`, 502, "source_error"],
    ["not http", () => "file:///etc/passwd", 400, "invalid_url"],
  ];
  for (const [name, url, status, code] of cases) {
    it(`${name} → ${status} ${code}, nothing stored`, async () => {
      const before = await countImages(stack.sql);
      const res = await convert(url(), `A-${code}`);
      expect(res.status).toBe(status);
      expect(res.json).toMatchObject({ status, code });
      expect(await countImages(stack.sql)).toBe(before);
    });
  }
});

describe("the converter is internal", () => {
  it("refuses a direct call without the internal token", async () => {
    const body = { data: { url: `${images.url}/dune.jpg`, article_id: "direct" } };
    const none = await http(`${stack.converterUrl}/convert`, { json: body });
    const wrong = await http(`${stack.converterUrl}/convert`, {
      json: body,
      headers: { "x-internal-token": "guess" },
    });
    expect(none.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(none.json.code).toBe("invalid_internal_token");
    expect(await stack.sql`select 1 from images where article_id = 'direct'`).toHaveLength(0);
  });
});

describe("health", () => {
  it("both services answer /health; the gateway is ready", async () => {
    expect((await http(`${stack.url}/health`)).status).toBe(200);
    expect((await http(`${stack.converterUrl}/health`)).status).toBe(200);
    const ready = await http(`${stack.url}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.json.checks).toEqual({ database: true, converter: true });
  });
});
