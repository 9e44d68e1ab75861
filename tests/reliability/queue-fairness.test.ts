import { readFile } from "node:fs/promises";
import { createUser } from "@belfoot/db";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../services/admin-auth/src/auth/passwords";
import { basic, http } from "../support/http";
import { waitForJob } from "../support/jobs";
import { type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
const rocket = await readFile(corpusPath("skimage-rocket.jpg"));
const BUSY = { username: "busy-cms", password: "busy-password-12" };
const QUIET = { username: "quiet-cms", password: "quiet-password-1" };
const BATCH = 60;

beforeAll(async () => {
  images = await startImageServer();
  images.setRoute("/rocket.jpg", { body: rocket, contentType: "image/jpeg" });
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin, COMPRESS_CONCURRENCY: "1" } });
  for (const user of [BUSY, QUIET]) {
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

const as = (user: typeof BUSY) => basic(user.username, user.password);
const unfinished = async (articlePrefix: string) =>
  (
    await stack.sql`select count(*)::int as n from conversion_jobs
      where article_id like ${`${articlePrefix}%`} and state in ('queued', 'active')`
  )[0]?.n as number;

describe("fair turns between accounts", () => {
  it("one account's large batch does not hold up another account's single job", async () => {
    const items = Array.from({ length: BATCH }, (_, i) => ({
      url: `${images.url}/rocket.jpg`,
      article_id: `busy-${i}`,
    }));
    const batch = await http(`${stack.url}/convert/batch`, { json: { items }, headers: as(BUSY) });
    expect(batch.status).toBe(202);
    expect(batch.json.queued).toBe(BATCH);
    // The batch is being worked on before the other account asks.
    await waitUntil("the batch has started", async () => (await unfinished("busy-")) < BATCH, 60_000);

    const single = await http(`${stack.url}/convert`, {
      json: { data: { url: `${images.url}/rocket.jpg`, article_id: "quiet-1" } },
      headers: { ...as(QUIET), prefer: "respond-async" },
    });
    expect(single.status).toBe(202);
    const job = await waitForJob(stack.url, single.json.job_id as string, as(QUIET), 120_000);
    expect(job.state).toBe("completed");
    // In arrival order it would have waited for the whole batch; taking turns, it went next.
    expect(await unfinished("busy-")).toBeGreaterThan(BATCH / 2);
  }, 180_000);
});
