import type { ImageServer } from "@belfoot/testkit";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, bearer, http } from "../support/http";
import { nginxInstalled, startNginx } from "../support/nginx";
import { coffee, startPhotoServer } from "../support/photos";
import { ADMIN, type Stack, startStack } from "../support/stack";

// The whole product as a client sees it: real nginx → admin-auth → img-converter → PostgreSQL.
let stack: Stack;
let images: ImageServer;
let nginx: Awaited<ReturnType<typeof startNginx>>;

beforeAll(async () => {
  if (!nginxInstalled) return;
  images = await startPhotoServer();
  // nginx runs on loopback: as in compose, admin-auth believes its X-Forwarded-For and no one else's.
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin, TRUST_PROXY: "127.0.0.1" } });
  nginx = await startNginx({ upstream: new URL(stack.url).host });
});
afterAll(async () => {
  if (!nginxInstalled) return;
  await nginx?.stop();
  await stack?.close();
  await images?.close();
});

describe.skipIf(!nginxInstalled)("through nginx", () => {
  it("POST /convert, then GET /articles/:id and its meta", async () => {
    const posted = await http(`${nginx.url}/convert`, {
      json: { user: ADMIN, data: { url: `${images.url}/kite.jpg`, article_id: "E2E-1" } },
    });
    expect(posted.status).toBe(201);
    expect(posted.headers["x-request-id"]).toBeTruthy();

    const got = await http(`${nginx.url}/articles/E2E-1`, { headers: basic(ADMIN.username, ADMIN.password) });
    expect(got.status).toBe(200);
    expect(got.headers["content-type"]).toBe("image/jpeg");
    expect(got.body.length).toBeLessThanOrEqual(184_320);
    expect(got.headers.etag).toBe(`"${posted.json.sha256}"`);
    expect(got.headers["cache-control"]).toMatch(/^private/);
    const meta = await sharp(got.body).metadata();
    expect(Math.abs((meta.height ?? 0) - ((meta.width ?? 0) * 1600) / 2560)).toBeLessThanOrEqual(1);

    const notModified = await http(`${nginx.url}/articles/E2E-1`, {
      headers: { ...basic(ADMIN.username, ADMIN.password), "if-none-match": got.headers.etag ?? "" },
    });
    expect(notModified.status).toBe(304);
  });

  it("DELETE /articles/:id, then the article reads 404", async () => {
    const auth = basic(ADMIN.username, ADMIN.password);
    const posted = await http(`${nginx.url}/convert`, {
      json: { user: ADMIN, data: { url: `${images.url}/kite.jpg`, article_id: "E2E-del" } },
    });
    expect(posted.status).toBe(201);
    const deleted = await http(`${nginx.url}/articles/E2E-del`, { method: "DELETE", headers: auth });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ status: 200, message: "image deleted", id: posted.json.id });
    const gone = await http(`${nginx.url}/articles/E2E-del`, { headers: auth });
    expect(gone.status).toBe(404);
    expect(gone.json.code).toBe("not_found");
  });

  it("keeps the original API working: registration, auth, base64 upload, GET /:id, logs", async () => {
    const reg = await http(`${nginx.url}/registration`, {
      json: { user_name: "legacy", password: "legacy-password" },
      headers: basic(ADMIN.username, ADMIN.password),
    });
    expect(reg.json).toMatchObject({ status: 201, message: "user created" });
    const auth = await http(`${nginx.url}/auth`, {
      json: { user_name: "legacy", password: "legacy-password" },
    });
    expect(auth.status).toBe(200);
    const token = auth.json.token as string;
    const up = await http(`${nginx.url}/img`, {
      json: { img: coffee.toString("base64"), x: 200, y: 200 },
      headers: bearer(token),
    });
    expect(up.json).toMatchObject({ status: 201, width: 200 });
    const img = await http(`${nginx.url}/${up.json.id}`, { headers: bearer(token) });
    expect(img.status).toBe(200);
    expect(img.headers["content-type"]).toBe("image/jpeg");
    const info = await http(`${nginx.url}/info?lines=10`, { headers: basic(ADMIN.username, ADMIN.password) });
    expect(info.status).toBe(200);
    expect((await http(`${nginx.url}/info`, { headers: bearer(token) })).status).toBe(403);
  });

  it("does not publish the converter's routes", async () => {
    const res = await http(`${nginx.url}/uploads`, {
      body: coffee,
      headers: {
        "content-type": "application/octet-stream",
        "x-internal-token": stack.config.INTERNAL_TOKEN,
      },
    });
    expect(res.status).toBe(404);
  });

  it("answers errors as JSON {status, code, message}", async () => {
    const res = await http(`${nginx.url}/convert`, { json: { data: {} } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 400, code: "invalid_body" });
  });
});
