import { saveImage } from "@belfoot/db";
import { type ImageServer, startImageServer } from "@belfoot/testkit";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTICLE_ID_MAX_LENGTH } from "../../packages/api-schemas/src/article-id";
import { basic, http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;

beforeAll(async () => {
  images = await startImageServer();
  const png = await sharp({ create: { width: 80, height: 60, channels: 3, background: "#3a7" } })
    .png()
    .toBuffer();
  images.setRoute("/small.png", { body: png, contentType: "image/png" });
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin } });
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

const auth = basic(ADMIN.username, ADMIN.password);
const convert = (articleId: string) =>
  http(`${stack.url}/convert`, {
    json: { user: ADMIN, data: { url: `${images.url}/small.png`, article_id: articleId } },
  });
const id = (length: number, prefix = "L") => `${prefix}-`.padEnd(length, "x");

/** The documented error shape, whatever the status. */
function expectErrorShape(res: Awaited<ReturnType<typeof http>>, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  expect(res.json).toEqual({ status, code, message: expect.any(String), request_id: expect.any(String) });
  expect(res.headers["x-request-id"]).toBe(res.json.request_id);
}

describe(`article ids up to ${ARTICLE_ID_MAX_LENGTH} characters`, () => {
  it("stores, reads, reads the metadata of and deletes an id of every length up to the limit", async () => {
    for (const length of [100, 101, ARTICLE_ID_MAX_LENGTH]) {
      const articleId = id(length);
      expect((await convert(articleId)).status).toBe(201);
      const path = `${stack.url}/articles/${articleId}`;
      expect((await http(path, { headers: auth })).status).toBe(200);
      expect((await http(path, { method: "HEAD", headers: auth })).status).toBe(200);
      const meta = await http(`${path}/meta`, { headers: auth });
      expect(meta.status).toBe(200);
      expect(meta.json.article_id).toBe(articleId);
      expect((await http(path, { method: "DELETE", headers: auth })).status).toBe(200);
      expect((await http(path, { headers: auth })).status).toBe(404);
    }
  });

  it("reads the longest id even fully percent-encoded", async () => {
    const articleId = id(ARTICLE_ID_MAX_LENGTH, "P");
    expect((await convert(articleId)).status).toBe(201);
    const encoded = [...articleId].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join("");
    const res = await http(`${stack.url}/articles/${encoded}/meta`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.json.article_id).toBe(articleId);
  });
});

describe("longer ids are refused in the error shape, everywhere", () => {
  const tooLong = id(ARTICLE_ID_MAX_LENGTH + 1);

  it("just over the limit: 400 on POST /convert (nothing fetched), reads, metadata and deletes", async () => {
    const before = images.hits("/small.png");
    const posted = await convert(tooLong);
    expectErrorShape(posted, 400, "invalid_body");
    expect(posted.json.message).toMatch(/article_id/);
    expect(images.hits("/small.png")).toBe(before);
    for (const [method, suffix] of [
      ["GET", ""],
      ["HEAD", ""],
      ["GET", "/meta"],
      ["DELETE", ""],
    ] as const) {
      const res = await http(`${stack.url}/articles/${tooLong}${suffix}`, { method, headers: auth });
      if (method === "HEAD") expect(res.status).toBe(400);
      else expectErrorShape(res, 400, "invalid_body");
    }
  });

  it("far over the limit (past the router's bound): 414 in the same shape", async () => {
    for (const path of [`/articles/${id(2000)}`, `/articles/${id(2000)}/meta`, `/img/${"9".repeat(2000)}`]) {
      const res = await http(`${stack.url}${path}`, { headers: auth });
      expectErrorShape(res, 414, "path_too_long");
    }
    const res = await http(`${stack.url}/articles/${id(2000)}`, { method: "DELETE", headers: auth });
    expectErrorShape(res, 414, "path_too_long");
  });

  it("a bad percent-encoding in the path: 400 in the same shape", async () => {
    expectErrorShape(await http(`${stack.url}/articles/%E0%A4%A`, { headers: auth }), 400, "invalid_path");
  });

  it("the database refuses a longer id from any other writer", async () => {
    const write = (articleId: string) =>
      saveImage(stack.sql, {
        articleId,
        ownerId: null,
        sourceUrl: null,
        sourceFormat: "jpeg",
        sourceBytes: 1,
        sourceWidth: 1,
        sourceHeight: 1,
        width: 1,
        height: 1,
        quality: null,
        encodes: 0,
        data: Buffer.from([0xff, 0xd8, 0xff, 0xd9]),
      });
    await expect(write(tooLong)).rejects.toMatchObject({ constraint_name: "images_article_id_length" });
    await expect(write(id(ARTICLE_ID_MAX_LENGTH, "D"))).resolves.toMatchObject({ created: true });
  });
});
