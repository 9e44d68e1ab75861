import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createUser, findImageByArticle } from "@belfoot/db";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../services/admin-auth/src/auth/passwords";
import { basic, http } from "../support/http";
import { waitForJob } from "../support/jobs";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
const rocket = await readFile(corpusPath("skimage-rocket.jpg"));
const meadow = await readFile(corpusPath("mate-greenmeadow.jpg"));
const ALICE = { username: "alice", password: "alice-password-1" };
const BOB = { username: "bob", password: "bob-password-12" };
const MAX_QUEUED = 20;

beforeAll(async () => {
  images = await startImageServer();
  images.setRoute("/rocket.jpg", { body: rocket, contentType: "image/jpeg" });
  images.setRoute("/meadow.jpg", { body: meadow, contentType: "image/jpeg" });
  stack = await startStack({
    env: {
      ALLOW_PRIVATE_SOURCES: images.origin,
      MAX_QUEUED_PER_USER: String(MAX_QUEUED),
      JOB_ATTEMPTS: "2",
    },
  });
  for (const user of [ALICE, BOB]) {
    await createUser(stack.sql, {
      username: user.username,
      passwordHash: await hashPassword(user.password),
      role: "user",
    });
  }
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const as = (user: { username: string; password: string }) => basic(user.username, user.password);
const ASYNC = { prefer: "respond-async" };

const convertAsync = (
  user: typeof ALICE,
  data: Record<string, unknown>,
  headers: Record<string, string> = {},
) => http(`${stack.url}/convert`, { json: { data }, headers: { ...as(user), ...ASYNC, ...headers } });
const batch = (user: typeof ALICE, body: Record<string, unknown>) =>
  http(`${stack.url}/convert/batch`, { json: body, headers: as(user) });

describe("POST /convert with Prefer: respond-async", () => {
  it("answers 202 with the job's Location, and the job ends with exactly the synchronous answer", async () => {
    const posted = await convertAsync(ALICE, { url: `${images.url}/rocket.jpg`, article_id: "async-1" });
    expect(posted.status).toBe(202);
    const jobId = posted.json.job_id as string;
    expect(posted.json).toEqual({ status: 202, message: "queued", job_id: jobId, state: "queued" });
    expect(posted.headers.location).toBe(`/jobs/${jobId}`);

    const job = await waitForJob(stack.url, jobId, as(ALICE));
    expect(job).toMatchObject({ job_id: jobId, state: "completed", attempts: 1, article_id: "async-1" });
    const stored = await findImageByArticle(stack.sql, "async-1");
    const meta = await http(`${stack.url}/articles/async-1/meta`, { headers: as(ALICE) });
    // The synchronous answer for a new article: 201 "image stored" and the image's facts, as /meta shows them.
    expect(job.result).toEqual({ ...meta.json, status: 201, message: "image stored" });
    expect(stored?.ownerId).toBeGreaterThan(0);
    expect((job.result as { sha256: string }).sha256).toBe(sha256(stored?.data ?? Buffer.alloc(0)));

    // The synchronous route answers the same article from the same, unchanged source with 200, kept.
    const sync = await http(`${stack.url}/convert`, {
      json: { data: { url: `${images.url}/rocket.jpg`, article_id: "async-1" } },
      headers: as(ALICE),
    });
    expect(sync.status).toBe(200);
    expect(sync.json).toMatchObject({
      status: 200,
      message: "image unchanged",
      unchanged: true,
      article_id: "async-1",
    });
  });

  it("shows a job to its owner and admins only: anyone else, or an unknown id, gets 404", async () => {
    const posted = await convertAsync(ALICE, { url: `${images.url}/meadow.jpg`, article_id: "async-2" });
    const jobId = posted.json.job_id as string;
    expect((await http(`${stack.url}/jobs/${jobId}`, { headers: as(ADMIN) })).status).toBe(200);
    const foreign = await http(`${stack.url}/jobs/${jobId}`, { headers: as(BOB) });
    expect(foreign.status).toBe(404);
    expect(foreign.json).toMatchObject({ status: 404, code: "not_found" });
    const unknown = await http(`${stack.url}/jobs/00000000-0000-4000-8000-000000000000`, {
      headers: as(ALICE),
    });
    expect(unknown.status).toBe(404);
    expect((await http(`${stack.url}/jobs/not-a-uuid`, { headers: as(ALICE) })).status).toBe(404);
    expect((await http(`${stack.url}/jobs/${jobId}`)).status).toBe(401);
    await waitForJob(stack.url, jobId, as(ALICE));
  });

  it("retries a job whose source fails, then fails it with the error the synchronous route would give", async () => {
    const posted = await convertAsync(ALICE, { url: `${images.url}/missing.jpg`, article_id: "async-3" });
    const job = await waitForJob(stack.url, posted.json.job_id as string, as(ALICE));
    // A source error may be passing (an overloaded origin): it is tried JOB_ATTEMPTS times.
    expect(job).toMatchObject({ state: "failed", attempts: 2, error: { status: 502, code: "source_error" } });
    expect(images.hits("/missing.jpg")).toBe(2);
    expect(job.result).toBeUndefined();
    expect(await findImageByArticle(stack.sql, "async-3")).toBeUndefined();
  });

  it("refuses a bad URL or a private source at once, queueing nothing", async () => {
    const before = await stack.sql`select count(*)::int as n from conversion_jobs`;
    const bad = await convertAsync(ALICE, { url: "ftp://example.com/a.jpg", article_id: "async-4" });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ status: 400, code: "invalid_url" });
    const priv = await convertAsync(ALICE, { url: "http://10.1.2.3/a.jpg", article_id: "async-4" });
    expect(priv.status).toBe(403);
    expect(priv.json).toMatchObject({ code: "source_forbidden" });
    const after = await stack.sql`select count(*)::int as n from conversion_jobs`;
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});

describe("articles of another account", () => {
  it("refuses them at submission: 409 for a single job, an item-level 409 in a batch; admins may", async () => {
    const stored = await http(`${stack.url}/convert`, {
      json: { data: { url: `${images.url}/rocket.jpg`, article_id: "owned-1" } },
      headers: as(ALICE),
    });
    expect(stored.status).toBe(201);
    const before = await stack.sql`select count(*)::int as n from conversion_jobs`;

    const single = await convertAsync(BOB, { url: `${images.url}/meadow.jpg`, article_id: "owned-1" });
    expect(single.status).toBe(409);
    expect(single.json).toMatchObject({ status: 409, code: "article_taken" });

    const res = await batch(BOB, {
      items: [
        { url: `${images.url}/meadow.jpg`, article_id: "owned-1" },
        { url: `${images.url}/meadow.jpg`, article_id: "owned-2" },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ queued: 1 });
    const items = res.json.items as Record<string, unknown>[];
    expect(items[0]).toMatchObject({ status: 409, code: "article_taken" });
    expect(String(items[0]?.message)).toContain("items[0]");
    expect(Object.keys(items[1] ?? {})).toEqual(["job_id"]);
    const after = await stack.sql`select count(*)::int as n from conversion_jobs`;
    expect(after[0]?.n).toBe((before[0]?.n as number) + 1);
    expect((await waitForJob(stack.url, items[1]?.job_id as string, as(BOB))).state).toBe("completed");

    // The owner replaces its own article, and an admin any article.
    const own = await convertAsync(ALICE, { url: `${images.url}/meadow.jpg`, article_id: "owned-1" });
    expect(own.status).toBe(202);
    expect((await waitForJob(stack.url, own.json.job_id as string, as(ALICE))).state).toBe("completed");
    const admin = await convertAsync(ADMIN, { url: `${images.url}/rocket.jpg`, article_id: "owned-2" });
    expect(admin.status).toBe(202);
    expect((await waitForJob(stack.url, admin.json.job_id as string, as(ADMIN))).state).toBe("completed");
    const owners = await stack.sql`
      select article_id, u.username from images i join users u on u.id = i.owner_id
      where article_id like 'owned-%' order by 1`;
    expect(owners.map((r) => [r.articleId, r.username])).toEqual([
      ["owned-1", ALICE.username],
      ["owned-2", BOB.username],
    ]);
  });

  it("still fails a queued job whose article another account stored after it was accepted", async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    images.setRoute("/held.jpg", async (_req, res) => {
      await held;
      res.writeHead(200, { "content-type": "image/jpeg" }).end(meadow);
    });
    const queued = await convertAsync(BOB, { url: `${images.url}/held.jpg`, article_id: "race-1" });
    expect(queued.status).toBe(202);
    // Bob's job has passed its checks and is downloading when Alice stores the article first.
    await waitUntil("Bob's job is fetching its source", async () => images.hits("/held.jpg") > 0);
    const first = await http(`${stack.url}/convert`, {
      json: { data: { url: `${images.url}/rocket.jpg`, article_id: "race-1" } },
      headers: as(ALICE),
    });
    expect(first.status).toBe(201);
    release();
    const job = await waitForJob(stack.url, queued.json.job_id as string, as(BOB));
    expect(job).toMatchObject({ state: "failed", error: { status: 409, code: "article_taken" } });
    expect((await findImageByArticle(stack.sql, "race-1"))?.sha256).toBe(first.json.sha256);
  });
});

describe("POST /convert/batch", () => {
  it("answers every item in order; the valid ones are queued and complete even when others are refused", async () => {
    const res = await batch(ALICE, {
      items: [
        { url: `${images.url}/rocket.jpg`, article_id: "batch-1" },
        { url: "not a url", article_id: "batch-2" },
        { url: `${images.url}/meadow.jpg`, article_id: "bad id with spaces" },
        { url: "http://192.168.0.10/x.jpg", article_id: "batch-4" },
        { url: `${images.url}/meadow.jpg`, article_id: "batch-5" },
        { url: `${images.url}/meadow.jpg`, article_id: "batch-1" },
        "not an object",
      ],
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: 202, queued: 2 });
    const items = res.json.items as Record<string, unknown>[];
    expect(items).toHaveLength(7);
    expect(Object.keys(items[0] ?? {})).toEqual(["job_id"]);
    expect(items[1]).toMatchObject({ status: 400, code: "invalid_url" });
    expect(items[2]).toMatchObject({ status: 400, code: "invalid_item" });
    expect(items[3]).toMatchObject({ status: 403, code: "source_forbidden" });
    expect(Object.keys(items[4] ?? {})).toEqual(["job_id"]);
    expect(items[5]).toMatchObject({ status: 400, code: "duplicate_article_id" });
    expect(items[6]).toMatchObject({ status: 400, code: "invalid_item" });
    for (const i of [0, 4]) {
      const job = await waitForJob(stack.url, items[i]?.job_id as string, as(ALICE));
      expect(job.state).toBe("completed");
    }
    const rows = await stack.sql`select article_id from images where article_id like 'batch-%' order by 1`;
    expect(rows.map((r) => r.articleId)).toEqual(["batch-1", "batch-5"]);
  });

  it("refuses an empty batch and one over BATCH_MAX_ITEMS with 400", async () => {
    const empty = await batch(ALICE, { items: [] });
    expect(empty.status).toBe(400);
    expect(empty.json).toMatchObject({ status: 400, code: "invalid_body" });
    const items = Array.from({ length: 1001 }, (_, i) => ({
      url: `${images.url}/rocket.jpg`,
      article_id: `big-${i}`,
    }));
    const tooMany = await batch(ALICE, { items });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json).toMatchObject({ status: 400, code: "invalid_body" });
    const queued =
      await stack.sql`select count(*)::int as n from conversion_jobs where article_id like 'big-%'`;
    expect(queued[0]?.n).toBe(0);
  });

  it("answers 429 with Retry-After beyond MAX_QUEUED_PER_USER, queueing nothing of that batch", async () => {
    const items = Array.from({ length: MAX_QUEUED + 1 }, (_, i) => ({
      url: `${images.url}/rocket.jpg`,
      article_id: `quota-${i}`,
    }));
    const res = await batch(BOB, { items });
    expect(res.status).toBe(429);
    expect(res.json).toMatchObject({ status: 429, code: "too_many_jobs" });
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    const queued =
      await stack.sql`select count(*)::int as n from conversion_jobs where article_id like 'quota-%'`;
    expect(queued[0]?.n).toBe(0);
  });
});
