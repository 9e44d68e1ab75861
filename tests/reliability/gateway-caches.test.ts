import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { removeUser, setUserPassword } from "@belfoot/db";
import { type ImageServer, startImageServer } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../services/admin-auth/src/auth/passwords";
import { basic, bearer, http } from "../support/http";
import { nginxInstalled, type RunningNginx, startNginx } from "../support/nginx";
import { ADMIN, type Stack, startStack } from "../support/stack";

// Two gateway processes on one database, as behind a load balancer: what one changes, the other must
// stop serving at once (credentials within a second, images as soon as the change was answered).
let images: ImageServer;
let a: Stack;
let b: Stack;

beforeAll(async () => {
  images = await startImageServer();
  for (const [i, red] of [10, 80, 150, 220].entries()) {
    const body = await sharp({
      create: { width: 96, height: 64, channels: 3, background: { r: red, g: 120, b: 40 } },
    })
      .png()
      .toBuffer();
    images.setRoute(`/source-${i}.png`, { body, contentType: "image/png" });
  }
  // TRUST_PROXY: the nginx in front of each in the last test is believed (reads then go by X-Accel-Redirect).
  const env = { ALLOW_PRIVATE_SOURCES: images.origin, TRUST_PROXY: "127.0.0.1" };
  a = await startStack({ env });
  b = await startStack({
    databaseUrl: a.config.DATABASE_URL,
    env: { ...env, JWT_SECRET: a.config.JWT_SECRET },
  });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await images?.close();
});

/** A counter of a gateway's own metrics registry; undefined when the gateway has no such metric. */
async function counter(stack: Stack, name: string): Promise<number | undefined> {
  const metric = stack.gateway.metrics.getSingleMetric(name);
  if (!metric) return undefined;
  return (await metric.get()).values[0]?.value ?? 0;
}
/** Entries in an nginx's image cache. */
async function cachedImages(edge: RunningNginx): Promise<number> {
  const entries = await readdir(path.join(edge.dir, "image_cache"), { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).length;
}
const ARGON2 = "belfoot_password_verifications_total";
const CREDENTIAL_HITS = "belfoot_credential_cache_hits_total";
const META_HITS = "belfoot_image_meta_cache_hits_total";
const TOKEN_USER_HITS = "belfoot_token_user_cache_hits_total";

async function register(name: string, password: string): Promise<void> {
  const res = await http(`${a.url}/registration`, {
    json: { user_name: name, password },
    headers: basic(ADMIN.username, ADMIN.password),
  });
  expect(res.status).toBe(201);
}
/** An authenticated read of an article nobody stored: 404 once the credentials pass, 401 if not. */
const probe = async (stack: Stack, name: string, password: string) =>
  (await http(`${stack.url}/articles/NO-SUCH-ARTICLE`, { headers: basic(name, password) })).status;

describe("verified credentials are remembered", () => {
  it("reads sent at once with a pair not yet remembered share one argon2 verification", async () => {
    await register("parallel-reader", "parallel-reader-password");
    const before = (await counter(b, ARGON2)) ?? Number.NaN;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => probe(b, "parallel-reader", "parallel-reader-password")),
    );
    expect(answers).toEqual(Array(8).fill(404));
    expect(await counter(b, ARGON2)).toBe(before + 1);
  });

  it("HTTP Basic pays one argon2 verification, not one per request; wrong passwords always pay", async () => {
    await register("basic-reader", "basic-reader-password");
    const before = (await counter(a, ARGON2)) ?? Number.NaN;
    for (let i = 0; i < 6; i++) expect(await probe(a, "basic-reader", "basic-reader-password")).toBe(404);
    expect(await counter(a, ARGON2)).toBe(before + 1);
    // A wrong password is never recognised from the cache: each one is verified (and counted as a failure).
    // (Two: a third in a row would make this address wait, LOGIN_DELAY_AFTER_FAILURES.)
    for (let i = 0; i < 2; i++) expect(await probe(a, "basic-reader", `wrong-password-${i}`)).toBe(401);
    expect(await counter(a, ARGON2)).toBe(before + 3);
    expect(await probe(a, "basic-reader", "basic-reader-password")).toBe(404);
    expect(await counter(a, ARGON2)).toBe(before + 3);
    // A token is issued only on a fresh check.
    const auth = await http(`${a.url}/auth`, {
      json: { user_name: "basic-reader", password: "basic-reader-password" },
    });
    expect(auth.status).toBe(200);
    expect(await counter(a, ARGON2)).toBe(before + 4);
  });

  it("a password change, a role change and a removal stop the remembered credentials on the other process within 1 s", async () => {
    await register("moving-user", "first-password-1");
    const hitsBefore = (await counter(b, CREDENTIAL_HITS)) ?? Number.NaN;
    expect(await probe(b, "moving-user", "first-password-1")).toBe(404);
    expect(await probe(b, "moving-user", "first-password-1")).toBe(404);
    expect(await counter(b, CREDENTIAL_HITS)).toBe(hitsBefore + 1);

    // The same function `pnpm user passwd` runs, on the shared database.
    expect(await setUserPassword(a.sql, "moving-user", await hashPassword("second-password-2"))).toBe(true);
    await waitUntil(
      "the change is heard on the other process",
      async () => (await probe(b, "moving-user", "first-password-1")) === 401,
      1000,
    );
    expect(await probe(b, "moving-user", "second-password-2")).toBe(404);
    expect(await probe(b, "moving-user", "second-password-2")).toBe(404);

    // Remembered as a user; made an admin: the role is not served from what was remembered.
    const info = async () =>
      (await http(`${b.url}/info`, { headers: basic("moving-user", "second-password-2") })).status;
    expect(await info()).toBe(403);
    await a.sql`update users set role = 'admin' where username = 'moving-user'`;
    await waitUntil("the change is heard on the other process", async () => (await info()) === 200, 1000);

    expect(await removeUser(a.sql, "moving-user")).toBe(true);
    await waitUntil(
      "the change is heard on the other process",
      async () => (await probe(b, "moving-user", "second-password-2")) === 401,
      1000,
    );
  });

  it("a lost LISTEN connection drops what was remembered; listening resumes and invalidates again", async () => {
    await register("cut-user", "cut-password-1");
    expect(await probe(b, "cut-user", "cut-password-1")).toBe(404);
    const hits = (await counter(b, CREDENTIAL_HITS)) ?? Number.NaN;
    expect(await probe(b, "cut-user", "cut-password-1")).toBe(404);
    expect(await counter(b, CREDENTIAL_HITS)).toBe(hits + 1);

    // Both gateways' listening connections go, as in a database restart; the change that follows is
    // announced to nobody.
    const cut = await a.sql`
      select pg_terminate_backend(pid) from pg_stat_activity
      where application_name = 'belfoot-img-changes' and datname = current_database()`;
    expect(cut.length).toBe(2);
    expect(await setUserPassword(a.sql, "cut-user", await hashPassword("cut-password-2"))).toBe(true);
    await waitUntil(
      "the change is heard on the other process",
      async () => (await probe(b, "cut-user", "cut-password-1")) === 401,
      1000,
    );

    // Listening again (retried every 500 ms): the new password is remembered again...
    await waitUntil(
      "b listens again and remembers the new password",
      async () => {
        const before = (await counter(b, CREDENTIAL_HITS)) ?? 0;
        await probe(b, "cut-user", "cut-password-2");
        return ((await counter(b, CREDENTIAL_HITS)) ?? 0) > before;
      },
      10_000,
    );
    // ...and a change is heard again.
    expect(await setUserPassword(a.sql, "cut-user", await hashPassword("cut-password-3"))).toBe(true);
    await waitUntil(
      "the change is heard on the other process",
      async () => (await probe(b, "cut-user", "cut-password-2")) === 401,
      1000,
    );
  });
});

describe("a token's user is remembered", () => {
  it("a Bearer read needs no user lookup once known; a password change voids the token on the other process within 1 s", async () => {
    await register("token-user", "token-password-1");
    const auth = await http(`${a.url}/auth`, {
      json: { user_name: "token-user", password: "token-password-1" },
    });
    expect(auth.status).toBe(200);
    const token = bearer(auth.json.token as string);
    const read = async () => (await http(`${b.url}/articles/NO-SUCH-ARTICLE`, { headers: token })).status;
    expect(await read()).toBe(404);
    const hits = (await counter(b, TOKEN_USER_HITS)) ?? Number.NaN;
    expect(await read()).toBe(404);
    expect(await counter(b, TOKEN_USER_HITS)).toBe(hits + 1);
    expect(await setUserPassword(a.sql, "token-user", await hashPassword("token-password-2"))).toBe(true);
    await waitUntil("the change is heard on the other process", async () => (await read()) === 401, 1000);
  });
});

/**
 * Writes alternate between the two processes while readers run on `readers` (base URLs: a gateway,
 * or an nginx in front of one); afterwards, every read that started after a write's answer must
 * have returned what that write or a later one left. Every ETag names its bytes.
 */
async function writesAgainstReads(article: string, readers: [name: string, url: string][]) {
  const admin = basic(ADMIN.username, ADMIN.password);
  /** Each write, in order: when its answer arrived, and what a read must then return. */
  const states: { answeredAt: number; sha256: string | null }[] = [];
  const convert = async (via: Stack, source: number) => {
    const res = await http(`${via.url}/convert`, {
      json: { data: { url: `${images.url}/source-${source}.png`, article_id: article } },
      headers: admin,
    });
    expect([200, 201]).toContain(res.status);
    states.push({ answeredAt: performance.now(), sha256: res.json.sha256 as string });
  };
  const remove = async (via: Stack) => {
    const res = await http(`${via.url}/articles/${article}`, { method: "DELETE", headers: admin });
    expect(res.status).toBe(200);
    states.push({ answeredAt: performance.now(), sha256: null });
  };

  const reads: { reader: string; startedAt: number; sha256: string | null }[] = [];
  let writing = true;
  const read = async (name: string, url: string) => {
    while (writing) {
      const startedAt = performance.now();
      const res = await http(`${url}/articles/${article}`, { headers: admin });
      if (res.status === 200) {
        const sha256 = createHash("sha256").update(res.body).digest("hex");
        expect(res.headers.etag).toBe(`"${sha256}"`);
        reads.push({ reader: name, startedAt, sha256 });
      } else {
        expect(res.status).toBe(404);
        reads.push({ reader: name, startedAt, sha256: null });
      }
    }
  };
  /** Until every reader has started `count` reads after the last answered write (or the first). */
  const readersCaughtUp = (count: number) =>
    waitUntil(`${count} reads on each reader`, () =>
      readers.every(
        ([name]) =>
          reads.filter((r) => r.reader === name && r.startedAt > (states.at(-1)?.answeredAt ?? 0)).length >=
          count,
      ),
    );

  await convert(a, 0);
  const running = readers.map(([name, url]) => read(name, url));
  try {
    // The readers warm every cache on the way first, then the writers alternate.
    await readersCaughtUp(5);
    await convert(b, 1);
    await remove(a);
    await convert(a, 2);
    await convert(b, 3);
    await remove(b);
    await convert(b, 0);
    await readersCaughtUp(5);
  } finally {
    writing = false;
    await Promise.all(running);
  }

  // A read started after write k was answered returns what write k or a later one left.
  let checked = 0;
  for (const r of reads) {
    const after = states.findLastIndex((state) => state.answeredAt < r.startedAt);
    if (after < 0) continue;
    checked++;
    const allowed = states.slice(after).map((state) => state.sha256);
    expect(allowed, `a read on ${r.reader} after write ${after}`).toContain(r.sha256);
  }
  expect(checked).toBeGreaterThan(20);
}

describe("image metadata is remembered, never stale", () => {
  it("once a replace or delete is answered on one process, neither serves the old bytes or the deleted image", async () => {
    const metaHitsBefore = (await counter(b, META_HITS)) ?? Number.NaN;
    await writesAgainstReads("CACHE-1", [
      ["a", a.url],
      ["b", b.url],
      ["b again", b.url],
    ]);
    // The other process served reads from its metadata cache meanwhile, with no database round trip.
    expect(await counter(b, META_HITS)).toBeGreaterThan(metaHitsBefore);
  });

  it.skipIf(!nginxInstalled)(
    "nor does an nginx in front of each process, which sends the bytes from its sha256-keyed cache",
    async () => {
      const edges = await Promise.all(
        [a, b].map((stack) => startNginx({ upstream: new URL(stack.url).host })),
      );
      try {
        await writesAgainstReads("CACHE-NGINX", [
          ["nginx before a", (edges[0] as RunningNginx).url],
          ["nginx before b", (edges[1] as RunningNginx).url],
        ]);
        // Each nginx sent bytes from its own cache (filled through X-Accel-Redirect), one entry per sha256.
        for (const edge of edges) expect(await cachedImages(edge)).toBeGreaterThan(1);
      } finally {
        await Promise.all(edges.map((edge) => edge.stop()));
      }
    },
  );
});
