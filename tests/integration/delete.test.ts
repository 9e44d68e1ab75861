import { readFile } from "node:fs/promises";
import { createUser, findImageMetaByArticle } from "@belfoot/db";
import { corpusPath, countImages, type ImageServer, startImageServer } from "@belfoot/testkit";
import pino from "pino";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../services/admin-auth/src/auth/passwords";
import { ImageBytesCache } from "../../services/admin-auth/src/image-bytes-cache";
import { deleteChecked } from "../../services/admin-auth/src/image-delete";
import { basic, bearer, http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
const coffee = await readFile(corpusPath("skimage-coffee.png"));
const other = await sharp(coffee).flip().png().toBuffer();
const EDITOR = { username: "editor", password: "editor-pass-1" };
const READER = { username: "reader", password: "reader-pass-1" };

beforeAll(async () => {
  images = await startImageServer();
  images.setRoute("/coffee.png", { body: coffee, contentType: "image/png" });
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin } });
  for (const u of [EDITOR, READER]) {
    await createUser(stack.sql, {
      username: u.username,
      passwordHash: await hashPassword(u.password),
      role: "user",
    });
  }
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

type User = { username: string; password: string };
const convert = (articleId: string, user: User = EDITOR) =>
  http(`${stack.url}/convert`, {
    json: { user, data: { url: `${images.url}/coffee.png`, article_id: articleId } },
  });
const as = (u: User) => basic(u.username, u.password);
const article = (id: string, u: User = EDITOR, method = "GET") =>
  http(`${stack.url}/articles/${id}`, { method, headers: as(u) });

describe("DELETE /articles/:article_id", () => {
  it("deletes the owner's image and only it; reads then answer 404", async () => {
    const kept = await convert("D-kept");
    const posted = await convert("D-1");
    expect(posted.status).toBe(201);
    // Read once, so the gateway's bytes cache holds it.
    expect((await article("D-1")).status).toBe(200);
    const before = await countImages(stack.sql);

    const deleted = await article("D-1", EDITOR, "DELETE");
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({
      status: 200,
      message: "image deleted",
      id: posted.json.id,
      article_id: "D-1",
    });
    expect(await countImages(stack.sql)).toBe(before - 1);

    expect((await article("D-1")).status).toBe(404);
    expect((await http(`${stack.url}/articles/D-1/meta`, { headers: as(EDITOR) })).status).toBe(404);
    expect((await http(`${stack.url}/img/${posted.json.id}`, { headers: as(EDITOR) })).status).toBe(404);
    const again = await article("D-1", EDITOR, "DELETE");
    expect(again.status).toBe(404);
    expect(again.json.code).toBe("not_found");

    const other = await article("D-kept");
    expect(other.status).toBe(200);
    expect(other.headers.etag).toBe(`"${kept.json.sha256}"`);
  });

  it("refuses strangers and anonymous callers and changes nothing", async () => {
    const posted = await convert("D-2");
    const before = await countImages(stack.sql);
    const stranger = await article("D-2", READER, "DELETE");
    expect(stranger.status).toBe(403);
    expect(stranger.json.code).toBe("forbidden");
    const anonymous = await http(`${stack.url}/articles/D-2`, { method: "DELETE" });
    expect(anonymous.status).toBe(401);
    const wrong = await article("D-2", { ...EDITOR, password: "not-the-password" }, "DELETE");
    expect(wrong.status).toBe(401);
    expect(await countImages(stack.sql)).toBe(before);
    expect((await article("D-2")).headers.etag).toBe(`"${posted.json.sha256}"`);
  });

  it("takes the inline JSON credentials and a bearer token; admins delete anyone's", async () => {
    await convert("D-3");
    const inline = await http(`${stack.url}/articles/D-3`, { method: "DELETE", json: { user: EDITOR } });
    expect(inline.status).toBe(200);

    await convert("D-4");
    const login = await http(`${stack.url}/auth`, {
      json: { user_name: ADMIN.username, password: ADMIN.password },
    });
    const byAdmin = await http(`${stack.url}/articles/D-4`, {
      method: "DELETE",
      headers: bearer(login.json.token as string),
    });
    expect(byAdmin.status).toBe(200);
    expect(await findImageMetaByArticle(stack.sql, "D-4")).toBeUndefined();
  });

  it("a later conversion for the same article stores a new image under a new id", async () => {
    const first = await convert("D-5");
    expect((await article("D-5", EDITOR, "DELETE")).status).toBe(200);
    const second = await convert("D-5");
    expect(second.status).toBe(201);
    expect(second.json.id).not.toBe(first.json.id);
    expect((await article("D-5")).status).toBe(200);
  });
});

describe("DELETE /img/:id", () => {
  it("deletes an upload by id for its owner, 400 for a bad id", async () => {
    const upload = await http(`${stack.url}/img`, {
      json: { img: coffee.toString("base64") },
      headers: as(EDITOR),
    });
    expect(upload.status).toBe(201);
    const id = upload.json.id as number;
    expect((await http(`${stack.url}/img/${id}`, { method: "DELETE", headers: as(READER) })).status).toBe(
      403,
    );
    const deleted = await http(`${stack.url}/img/${id}`, { method: "DELETE", headers: as(EDITOR) });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ status: 200, message: "image deleted", id, article_id: null });
    expect((await http(`${stack.url}/${id}`, { headers: as(EDITOR) })).status).toBe(404);
    const bad = await http(`${stack.url}/img/abc`, { method: "DELETE", headers: as(EDITOR) });
    expect(bad.status).toBe(400);
  });
});

describe("a delete racing a replacement", () => {
  it("leaves the image an admin stored after the access check, with a 409", async () => {
    await convert("D-race", EDITOR);
    const checked = await findImageMetaByArticle(stack.sql, "D-race");
    if (!checked) throw new Error("not stored");
    // Between the editor's access check and the delete, an admin replaces the article's image.
    images.setRoute("/other.png", { body: other, contentType: "image/png" });
    const replaced = await http(`${stack.url}/convert`, {
      json: { user: ADMIN, data: { url: `${images.url}/other.png`, article_id: "D-race" } },
    });
    expect(replaced.status).toBe(200);
    const cache = new ImageBytesCache(1 << 20);
    await expect(deleteChecked(stack.sql, checked, cache, pino({ level: "silent" }))).rejects.toMatchObject({
      status: 409,
      code: "image_changed",
    });
    expect((await findImageMetaByArticle(stack.sql, "D-race"))?.sha256).toBe(replaced.json.sha256);

    // Gone altogether in between: 404, not 409.
    expect((await article("D-race", EDITOR, "DELETE")).status).toBe(200);
    await expect(deleteChecked(stack.sql, checked, cache, pino({ level: "silent" }))).rejects.toMatchObject({
      status: 404,
    });
  });
});
