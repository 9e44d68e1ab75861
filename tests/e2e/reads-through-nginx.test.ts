import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { ImageServer } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, http } from "../support/http";
import { nginxInstalled, startNginx } from "../support/nginx";
import { sha256Of, startPhotoServer } from "../support/photos";
import { ADMIN, type Stack, startStack } from "../support/stack";

// Image reads through the real nginx: admin-auth authorises and answers X-Accel-Redirect, nginx
// sends the bytes from its sha256-keyed cache.
let stack: Stack;
let images: ImageServer;
let nginx: Awaited<ReturnType<typeof startNginx>>;
const admin = basic(ADMIN.username, ADMIN.password);

beforeAll(async () => {
  if (!nginxInstalled) return;
  images = await startPhotoServer();
  stack = await startStack({
    env: { ALLOW_PRIVATE_SOURCES: images.origin, TRUST_PROXY: "127.0.0.1" },
    // The default level of `pnpm start`: which reads write a line is part of what is tested.
    logLevel: "info",
  });
  nginx = await startNginx({ upstream: new URL(stack.url).host });
});
afterAll(async () => {
  if (!nginxInstalled) return;
  await nginx?.stop();
  await stack?.close();
  await images?.close();
});

const convert = async (articleId: string, source: string) => {
  const posted = await http(`${nginx.url}/convert`, {
    json: { user: ADMIN, data: { url: `${images.url}/${source}`, article_id: articleId } },
  });
  expect([200, 201]).toContain(posted.status);
  return posted.json as { id: number; sha256: string; bytes: number };
};

describe.skipIf(!nginxInstalled)("image reads through nginx", () => {
  it("answers the stored bytes with their headers, whatever path reads them", async () => {
    const stored = await convert("READ-1", "kite.jpg");
    for (const path of ["/articles/READ-1", `/img/${stored.id}`, `/${stored.id}`]) {
      for (let round = 0; round < 2; round++) {
        // The first read fills nginx's cache, the second comes from it.
        const got = await http(`${nginx.url}${path}`, { headers: admin });
        expect(got.status).toBe(200);
        expect(sha256Of(got.body)).toBe(stored.sha256);
        expect(got.headers["content-length"]).toBe(String(stored.bytes));
        expect(got.headers["content-type"]).toBe("image/jpeg");
        expect(got.headers.etag).toBe(`"${stored.sha256}"`);
        expect(got.headers["cache-control"]).toMatch(/^private, max-age=\d+$/);
        expect(got.headers["x-content-type-options"]).toBe("nosniff");
        expect(got.headers.vary).toMatch(/Authorization/);
        expect(Number.isNaN(Date.parse(String(got.headers["last-modified"])))).toBe(false);
        expect(got.headers["x-accel-redirect"]).toBeUndefined();
      }
    }
    // nginx moved the bytes: they sit in its cache, one entry per sha256.
    const cached = await readdir(path.join(nginx.dir, "image_cache"), {
      recursive: true,
      withFileTypes: true,
    });
    expect(cached.filter((entry) => entry.isFile())).toHaveLength(1);
  });

  it("logs routine reads at debug, as nginx's access log has them, and everything else at info", async () => {
    const stored = await convert("READ-LOG", "kite.jpg");
    const read = async (base: string, requestId: string, headers: Record<string, string>) =>
      (await http(`${base}/articles/READ-LOG`, { headers: { ...headers, "x-request-id": requestId } }))
        .status;
    expect(await read(nginx.url, "log-read-200", admin)).toBe(200);
    expect(await read(nginx.url, "log-read-304", { ...admin, "if-none-match": `"${stored.sha256}"` })).toBe(
      304,
    );
    expect(await read(nginx.url, "log-read-401", basic("no-such-reader", "wrong-password"))).toBe(401);
    // Straight to admin-auth: it sends the bytes itself, and nginx has no line of it.
    expect(await read(stack.url, "log-read-direct", admin)).toBe(200);

    const infoLog = path.join(stack.config.LOG_DIR, "admin-auth", "info.log");
    const loggedIds = async () =>
      (await readFile(infoLog, "utf8").catch(() => ""))
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { reqId?: string; msg?: string })
        .filter((line) => line.msg === "request")
        .map((line) => line.reqId);
    // Lines are written in answer order: once the last two are there, the first two would be too.
    await waitUntil("the refusal and the direct read logged", async () => {
      const ids = await loggedIds();
      return ids.includes("log-read-401") && ids.includes("log-read-direct");
    });
    const ids = await loggedIds();
    expect(ids).not.toContain("log-read-200");
    expect(ids).not.toContain("log-read-304");
    const access = (await nginx.logs()).access;
    for (const id of ["log-read-200", "log-read-304", "log-read-401"])
      expect(access).toContain(`"request_id":"${id}"`);
  });

  it("answers HEAD and If-None-Match like GET", async () => {
    const stored = await convert("READ-HEAD", "kite.jpg");
    const head = await http(`${nginx.url}/articles/READ-HEAD`, { method: "HEAD", headers: admin });
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe(String(stored.bytes));
    const conditional = await http(`${nginx.url}/articles/READ-HEAD`, {
      headers: { ...admin, "if-none-match": `"${stored.sha256}"` },
    });
    expect(conditional.status).toBe(304);
  });

  it("serves a replaced image's new bytes as soon as the replace is answered", async () => {
    const first = await convert("READ-REPLACE", "kite.jpg");
    expect(sha256Of((await http(`${nginx.url}/articles/READ-REPLACE`, { headers: admin })).body)).toBe(
      first.sha256,
    );
    const second = await convert("READ-REPLACE", "coffee.png");
    expect(second.sha256).not.toBe(first.sha256);
    const after = await http(`${nginx.url}/articles/READ-REPLACE`, { headers: admin });
    expect(after.status).toBe(200);
    expect(after.headers.etag).toBe(`"${second.sha256}"`);
    expect(sha256Of(after.body)).toBe(second.sha256);
  });

  it("answers 404 for a deleted image at once, though nginx still holds its bytes", async () => {
    await convert("READ-DEL", "kite.jpg");
    expect((await http(`${nginx.url}/articles/READ-DEL`, { headers: admin })).status).toBe(200);
    const deleted = await http(`${nginx.url}/articles/READ-DEL`, { method: "DELETE", headers: admin });
    expect(deleted.status).toBe(200);
    const gone = await http(`${nginx.url}/articles/READ-DEL`, { headers: admin });
    expect(gone.status).toBe(404);
    expect(gone.json.code).toBe("not_found");
  });

  it("refuses another user's image (403), with no bytes", async () => {
    await convert("READ-OWNED", "kite.jpg");
    const reg = await http(`${nginx.url}/registration`, {
      json: { user_name: "stranger", password: "stranger-password" },
      headers: admin,
    });
    expect(reg.status).toBe(201);
    const foreign = await http(`${nginx.url}/articles/READ-OWNED`, {
      headers: basic("stranger", "stranger-password"),
    });
    expect(foreign.status).toBe(403);
    expect(foreign.json.code).toBe("forbidden");
  });

  it("keeps the cache's locations unreachable from outside, and a client cannot ask for a redirect", async () => {
    const stored = await convert("READ-INTERNAL", "kite.jpg");
    const tail = `${stored.id}/${stored.sha256}`;
    for (const url of [
      `${nginx.url}/_belfoot_image/${tail}`,
      `${nginx.url}/_internal/images/${tail}`,
      `${nginx.url}/_internal/images/${tail}?k=forged`,
      `${stack.url}/_internal/images/${tail}?k=forged`,
      `${stack.url}/_internal/images/${tail}`,
    ]) {
      const res = await http(url);
      expect(res.status, url).toBe(404);
      expect(res.json.code, url).toBe("not_found");
    }
    // Directly, a client's own X-Belfoot-Accel gets the bytes, never an internal URI.
    const direct = await http(`${stack.url}/articles/READ-INTERNAL`, {
      headers: { ...admin, "x-belfoot-accel": "1" },
    });
    expect(direct.status).toBe(200);
    expect(direct.headers["x-accel-redirect"]).toBeUndefined();
    expect(sha256Of(direct.body)).toBe(stored.sha256);
  });
});
