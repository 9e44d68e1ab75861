import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { ImageServer } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Answer, basic, http } from "../support/http";
import { nginxInstalled, startNginx } from "../support/nginx";
import { sha256Of, startPhotoServer } from "../support/photos";
import { ADMIN, type Stack, startStack } from "../support/stack";

// nginx answers signed links from admin-auth's answer, kept per link for up to a second: still
// nothing stale after a delete or replace is answered, on either of two nginx instances in front of
// one gateway, and nothing served once the link has expired.
let stack: Stack;
let images: ImageServer;
let edges: Awaited<ReturnType<typeof startNginx>>[] = [];
const admin = basic(ADMIN.username, ADMIN.password);

beforeAll(async () => {
  if (!nginxInstalled) return;
  images = await startPhotoServer();
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin, TRUST_PROXY: "127.0.0.1" } });
  const upstream = new URL(stack.url).host;
  edges = [await startNginx({ upstream }), await startNginx({ upstream })];
});
afterAll(async () => {
  if (!nginxInstalled) return;
  for (const edge of edges) await edge.stop();
  await stack?.close();
  await images?.close();
});

const convert = async (articleId: string, source: string) => {
  const posted = await http(`${edges[0]?.url}/convert`, {
    json: { user: ADMIN, data: { url: `${images.url}/${source}`, article_id: articleId } },
  });
  expect([200, 201]).toContain(posted.status);
  return posted.json as { id: number; sha256: string };
};

/** A link's path and query, and its expiry in unix seconds. */
const linkFor = async (articleId: string, ttl = 600) => {
  const made = await http(`${edges[0]?.url}/articles/${articleId}/link?ttl=${ttl}`, { headers: admin });
  expect(made.status).toBe(200);
  const url = new URL((made.json as { url: string }).url);
  return { path: `${url.pathname}${url.search}`, expires: Number(url.searchParams.get("expires")) };
};

interface Read {
  startedAt: number;
  answer: Answer;
}

/**
 * Reads `path` on every nginx in turn, over and over, until stop() — keeping each one's kept answer
 * warm — and remembers when each read started.
 */
function readContinuously(path: string) {
  const reads: Read[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const edge of edges) {
        const startedAt = Date.now();
        reads.push({ startedAt, answer: await http(`${edge.url}${path}`) });
      }
    }
  })();
  return {
    reads,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** The cache key nginx gives a link (the template's proxy_cache_key for /links/). */
function entryKey(linkPath: string): string {
  const url = new URL(linkPath, "http://edge");
  const arg = (name: string) => url.searchParams.get(name) ?? "";
  return `${url.pathname}?expires=${arg("expires")}&signature=${arg("signature")}`;
}

/**
 * The keys of the entries an nginx keeps for the link at `linkPath` (same id and sha256, any
 * arguments), read from the files' "KEY:" lines in its link_answers cache.
 */
async function keptAnswers(nginxDir: string, linkPath: string): Promise<string[]> {
  const dir = path.join(nginxDir, "link_answers");
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const keys: string[] = [];
  for (const file of files) {
    const head = (await readFile(path.join(file.parentPath, file.name))).subarray(0, 4096).toString("latin1");
    const key = /\nKEY: ([^\n]*)\n/.exec(head)?.[1];
    if (key?.startsWith(new URL(linkPath, "http://edge").pathname)) keys.push(key);
  }
  return keys;
}

/**
 * With readers on every nginx serving the link at `path`, runs `change` (a delete or a replace);
 * every read that started once it was answered must be a 404, and so is a last read on each nginx.
 */
async function expectGoneOnceAnswered<T>(path: string, change: () => Promise<T>): Promise<T> {
  const readers = readContinuously(path);
  await waitUntil("every nginx served the link", () => readers.reads.length >= 10);
  expect(readers.reads.every((read) => read.answer.status === 200)).toBe(true);
  const changed = await change();
  const answeredAt = Date.now();
  const before = readers.reads.length;
  await waitUntil("reads after the change", () => readers.reads.length >= before + 4);
  await readers.stop();
  for (const edge of edges) {
    const res = await http(`${edge.url}${path}`);
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("not_found");
  }
  const later = readers.reads.filter((read) => read.startedAt >= answeredAt);
  expect(later.map((read) => read.answer.status).filter((status) => status !== 404)).toEqual([]);
  return changed;
}

describe.skipIf(!nginxInstalled)("signed links answered by nginx from a kept answer", () => {
  it("keep the answer for the whole link, public for no longer than the link's life", async () => {
    const stored = await convert("DECIDED-1", "kite.jpg");
    const link = await linkFor("DECIDED-1", 600);
    for (let round = 0; round < 3; round++) {
      const startedAt = Date.now();
      const got = await http(`${edges[0]?.url}${link.path}`);
      expect(got.status).toBe(200);
      expect(sha256Of(got.body)).toBe(stored.sha256);
      const maxAge = Number(/^public, max-age=(\d+)$/.exec(got.headers["cache-control"] ?? "")?.[1]);
      expect(maxAge).toBeLessThanOrEqual(link.expires - Math.floor(startedAt / 1000));
      expect(maxAge).toBeGreaterThan(590);
    }
    expect(await keptAnswers(edges[0]?.dir ?? "", link.path)).toEqual([entryKey(link.path)]);
  });

  it("keep one entry per link, whatever arguments a reader adds to it", async () => {
    const stored = await convert("DECIDED-ARGS", "kite.jpg");
    const link = await linkFor("DECIDED-ARGS");
    for (const extra of ["&x=1", "&x=2", "&utm_source=feed"]) {
      const got = await http(`${edges[1]?.url}${link.path}${extra}`);
      expect(got.status).toBe(200);
      expect(sha256Of(got.body)).toBe(stored.sha256);
    }
    expect(await keptAnswers(edges[1]?.dir ?? "", link.path)).toEqual([entryKey(link.path)]);
  });

  it("answer If-None-Match with 304 and never show the client X-Accel-Expires", async () => {
    const stored = await convert("DECIDED-ETAG", "kite.jpg");
    const link = await linkFor("DECIDED-ETAG");
    const full = await http(`${edges[0]?.url}${link.path}`);
    expect(full.status).toBe(200);
    expect(full.headers.etag).toBe(`"${stored.sha256}"`);
    expect(full.headers["x-accel-expires"]).toBeUndefined();
    const again = await http(`${edges[0]?.url}${link.path}`, {
      headers: { "if-none-match": `"${stored.sha256}"` },
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it("never keep a refusal: a bad signature is refused by admin-auth every time", async () => {
    await convert("DECIDED-FORGED", "kite.jpg");
    const link = await linkFor("DECIDED-FORGED");
    const forged = link.path.replace(/signature=[^&]+/, `signature=${"A".repeat(43)}`);
    // A kept refusal would carry the first request's id in its body.
    for (let round = 0; round < 3; round++) {
      const refusal = await http(`${edges[0]?.url}${forged}`);
      expect(refusal.status).toBe(403);
      expect(refusal.json.code).toBe("invalid_link");
      expect(refusal.headers["x-request-id"]).toBe(refusal.json.request_id);
    }
  });

  it("answer 404 on every nginx on the first read after a delete is answered", async () => {
    await convert("DECIDED-DEL", "kite.jpg");
    const link = await linkFor("DECIDED-DEL");
    await expectGoneOnceAnswered(link.path, async () => {
      const deleted = await http(`${edges[0]?.url}/articles/DECIDED-DEL`, {
        method: "DELETE",
        headers: admin,
      });
      expect(deleted.status).toBe(200);
    });
  });

  it("answer 404 on every nginx on the first read after a replace is answered", async () => {
    await convert("DECIDED-REPLACED", "kite.jpg");
    const link = await linkFor("DECIDED-REPLACED");
    const replaced = await expectGoneOnceAnswered(link.path, () => convert("DECIDED-REPLACED", "coffee.png"));
    const fresh = await http(`${edges[1]?.url}${(await linkFor("DECIDED-REPLACED")).path}`);
    expect(sha256Of(fresh.body)).toBe(replaced.sha256);
  });

  it("stop serving a link the moment it expires, however warm its kept answer", async () => {
    await convert("DECIDED-EXPIRING", "kite.jpg");
    const link = await linkFor("DECIDED-EXPIRING", 2);
    const readers = readContinuously(link.path);
    await waitUntil("a read after the expiry", () =>
      readers.reads.some((read) => read.startedAt >= link.expires * 1000 + 200),
    );
    await readers.stop();
    const served = readers.reads.filter((read) => read.answer.status === 200);
    expect(served.length).toBeGreaterThan(0);
    for (const read of served) {
      expect(read.startedAt).toBeLessThan(link.expires * 1000);
      const maxAge = Number(/max-age=(\d+)/.exec(read.answer.headers["cache-control"] ?? "")?.[1]);
      expect(maxAge).toBeLessThanOrEqual(link.expires - Math.floor(read.startedAt / 1000));
    }
    const expired = readers.reads.filter((read) => read.startedAt >= link.expires * 1000);
    expect(expired.length).toBeGreaterThan(0);
    for (const read of expired) expect(read.answer.json.code).toBe("link_expired");
  });
});
