import { randomBytes } from "node:crypto";
import type { ImageServer } from "@belfoot/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LinkSigner, linkPath } from "../../services/admin-auth/src/reads/link-signer";
import { basic, http } from "../support/http";
import { nginxInstalled, startNginx } from "../support/nginx";
import { sha256Of, startPhotoServer } from "../support/photos";
import { ADMIN, type Stack, startStack } from "../support/stack";

// Signed public links, read without credentials through the real nginx and directly.
let stack: Stack;
let images: ImageServer;
let nginx: Awaited<ReturnType<typeof startNginx>>;
const admin = basic(ADMIN.username, ADMIN.password);
// The key before a rotation, still accepted as LINK_SIGNING_KEY_PREVIOUS.
const OLD_KEY = randomBytes(32).toString("hex");
const CURRENT_KEY = randomBytes(32).toString("hex");
const MAX_TTL = 86_400;

beforeAll(async () => {
  if (!nginxInstalled) return;
  images = await startPhotoServer();
  stack = await startStack({
    env: {
      ALLOW_PRIVATE_SOURCES: images.origin,
      TRUST_PROXY: "127.0.0.1",
      LINK_SIGNING_KEY: CURRENT_KEY,
      LINK_SIGNING_KEY_PREVIOUS: OLD_KEY,
      LINK_MAX_TTL_S: String(MAX_TTL),
    },
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

const linkFor = async (articleId: string, ttl?: number) => {
  const made = await http(`${nginx.url}/articles/${articleId}/link${ttl ? `?ttl=${ttl}` : ""}`, {
    headers: admin,
  });
  expect(made.status).toBe(200);
  return made.json as { url: string; expires_at: string; expires_in: number };
};

/** The link's path and query, to ask nginx or admin-auth directly. */
const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

describe.skipIf(!nginxInstalled)("signed links", () => {
  it("serve the image to anyone, through nginx and directly, public for at most the link's life", async () => {
    const stored = await convert("LINK-1", "kite.jpg");
    const link = await linkFor("LINK-1", 600);
    expect(link.expires_in).toBe(600);
    expect(new URL(link.url).host).toBe(new URL(nginx.url).host);
    for (const base of [nginx.url, nginx.url, stack.url]) {
      const got = await http(`${base}${pathOf(link.url)}`);
      expect(got.status).toBe(200);
      expect(sha256Of(got.body)).toBe(stored.sha256);
      expect(got.headers["content-type"]).toBe("image/jpeg");
      expect(got.headers["content-length"]).toBe(String(stored.bytes));
      expect(got.headers.etag).toBe(`"${stored.sha256}"`);
      expect(got.headers["x-content-type-options"]).toBe("nosniff");
      const maxAge = Number(/^public, max-age=(\d+)$/.exec(got.headers["cache-control"] ?? "")?.[1]);
      expect(maxAge).toBeGreaterThan(0);
      expect(maxAge).toBeLessThanOrEqual(600);
    }
    const conditional = await http(`${nginx.url}${pathOf(link.url)}`, {
      headers: { "if-none-match": `"${stored.sha256}"` },
    });
    expect(conditional.status).toBe(304);
  });

  it("refuses a link whose image, expiry or signature was changed (403)", async () => {
    const stored = await convert("LINK-TAMPER", "kite.jpg");
    const link = new URL((await linkFor("LINK-TAMPER")).url);
    const expires = Number(link.searchParams.get("expires"));
    const signature = link.searchParams.get("signature") ?? "";
    const other = await convert("LINK-OTHER", "coffee.png");
    for (const forged of [
      linkPath({ id: stored.id, sha256: stored.sha256, expires: expires + 3600 }, signature),
      linkPath({ id: other.id, sha256: other.sha256, expires }, signature),
      linkPath({ id: stored.id, sha256: stored.sha256, expires }, `${signature.slice(0, -2)}AA`),
      linkPath(
        { id: stored.id, sha256: stored.sha256, expires },
        new LinkSigner(randomBytes(32).toString("hex")).sign({
          id: stored.id,
          sha256: stored.sha256,
          expires,
        }),
      ),
    ]) {
      const res = await http(`${nginx.url}${forged}`);
      expect(res.status, forged).toBe(403);
      expect(res.json.code).toBe("invalid_link");
    }
  });

  it("answers an expired link 410, as JSON", async () => {
    const stored = await convert("LINK-OLD", "kite.jpg");
    const target = { id: stored.id, sha256: stored.sha256, expires: Math.floor(Date.now() / 1000) - 1 };
    const res = await http(`${nginx.url}${linkPath(target, new LinkSigner(CURRENT_KEY).sign(target))}`);
    expect(res.status).toBe(410);
    expect(res.json).toMatchObject({ status: 410, code: "link_expired" });
  });

  it("still accepts links signed with the previous key during the rotation's grace", async () => {
    const stored = await convert("LINK-ROTATED", "kite.jpg");
    const target = { id: stored.id, sha256: stored.sha256, expires: Math.floor(Date.now() / 1000) + 600 };
    const res = await http(`${nginx.url}${linkPath(target, new LinkSigner(OLD_KEY).sign(target))}`);
    expect(res.status).toBe(200);
    expect(sha256Of(res.body)).toBe(stored.sha256);
  });

  it("answers 404 at once for a deleted image's links and a replaced article's old links", async () => {
    await convert("LINK-DEL", "kite.jpg");
    const doomed = await linkFor("LINK-DEL");
    expect((await http(`${nginx.url}${pathOf(doomed.url)}`)).status).toBe(200);
    expect((await http(`${nginx.url}/articles/LINK-DEL`, { method: "DELETE", headers: admin })).status).toBe(
      200,
    );
    const deleted = await http(`${nginx.url}${pathOf(doomed.url)}`);
    expect(deleted.status).toBe(404);
    expect(deleted.json.code).toBe("not_found");

    await convert("LINK-REPLACED", "kite.jpg");
    const before = await linkFor("LINK-REPLACED");
    expect((await http(`${nginx.url}${pathOf(before.url)}`)).status).toBe(200);
    const replaced = await convert("LINK-REPLACED", "coffee.png");
    expect((await http(`${nginx.url}${pathOf(before.url)}`)).status).toBe(404);
    // A new link names the new bytes.
    const after = await http(`${nginx.url}${pathOf((await linkFor("LINK-REPLACED")).url)}`);
    expect(sha256Of(after.body)).toBe(replaced.sha256);
  });

  it("are made only for the owner or an admin, within LINK_MAX_TTL_S", async () => {
    await convert("LINK-OWNED", "kite.jpg");
    expect((await http(`${nginx.url}/articles/LINK-OWNED/link`)).status).toBe(401);
    const reg = await http(`${nginx.url}/registration`, {
      json: { user_name: "outsider", password: "outsider-password" },
      headers: admin,
    });
    expect(reg.status).toBe(201);
    const foreign = await http(`${nginx.url}/articles/LINK-OWNED/link`, {
      headers: basic("outsider", "outsider-password"),
    });
    expect(foreign.status).toBe(403);
    const tooLong = await http(`${nginx.url}/articles/LINK-OWNED/link?ttl=${MAX_TTL + 1}`, {
      headers: admin,
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.code).toBe("invalid_ttl");
  });
});
