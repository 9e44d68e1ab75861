import { readFile } from "node:fs/promises";
import { createUser } from "@belfoot/db";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../services/admin-auth/src/auth/passwords";
import { basic, http } from "../support/http";
import { waitForJob } from "../support/jobs";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
const rocket = await readFile(corpusPath("skimage-rocket.jpg"));
const CAROL = { username: "carol", password: "carol-password-1" };

beforeAll(async () => {
  images = await startImageServer();
  images.setRoute("/rocket.jpg", { body: rocket, contentType: "image/jpeg" });
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin } });
  await createUser(stack.sql, {
    username: CAROL.username,
    passwordHash: await hashPassword(CAROL.password),
    role: "user",
  });
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

const as = (user: { username: string; password: string }) => basic(user.username, user.password);
const jobsFor = async (articleId: string) =>
  (await stack.sql`select count(*)::int as n from conversion_jobs where article_id = ${articleId}`)[0]?.n;

const post = (path: string, json: unknown, headers: Record<string, string>) =>
  http(`${stack.url}${path}`, { json, headers });

describe("Idempotency-Key", () => {
  it("on a queued convert: the retry gets the first answer and queues nothing; another body is 422", async () => {
    const data = { url: `${images.url}/rocket.jpg`, article_id: "idem-1" };
    const headers = { ...as(ADMIN), prefer: "respond-async", "idempotency-key": "key-1" };
    const first = await post("/convert", { data }, headers);
    expect(first.status).toBe(202);
    // Same body, keys in another order and the credentials inline: the same request.
    const again = await post(
      "/convert",
      { data: { article_id: "idem-1", url: data.url }, user: ADMIN },
      headers,
    );
    expect(again.status).toBe(202);
    expect(again.json).toEqual(first.json);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(await jobsFor("idem-1")).toBe(1);

    const other = await post("/convert", { data: { ...data, article_id: "idem-1b" } }, headers);
    expect(other.status).toBe(422);
    expect(other.json).toMatchObject({ status: 422, code: "idempotency_key_reused" });
    expect(await jobsFor("idem-1b")).toBe(0);

    // Keys belong to an account: another account's same key is its own request (with a body of its
    // own, for an article of its own: the admin's idem-1 is not Carol's to replace).
    const carolsData = { ...data, article_id: "idem-1c" };
    const carols = await post("/convert", { data: carolsData }, { ...headers, ...as(CAROL) });
    expect(carols.status).toBe(202);
    expect(carols.json.job_id).not.toBe(first.json.job_id);
    await waitForJob(stack.url, first.json.job_id as string, as(ADMIN));
    await waitForJob(stack.url, carols.json.job_id as string, as(CAROL));
  });

  it("on a synchronous convert: the retry gets the first 201 again and nothing is stored anew", async () => {
    const data = { url: `${images.url}/rocket.jpg`, article_id: "idem-2" };
    const headers = { ...as(ADMIN), "idempotency-key": "key-2" };
    const first = await post("/convert", { data }, headers);
    expect(first.status).toBe(201);
    const hits = images.hits("/rocket.jpg");
    const again = await post("/convert", { data }, headers);
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(images.hits("/rocket.jpg")).toBe(hits);
    // The same key for a queued convert of the same data is a different request.
    const queued = await post("/convert", { data }, { ...headers, prefer: "respond-async" });
    expect(queued.status).toBe(422);
  });

  it("on a batch: the retry gets the same items and queues nothing", async () => {
    const body = { items: [{ url: `${images.url}/rocket.jpg`, article_id: "idem-3" }, { url: "nope" }] };
    const headers = { ...as(ADMIN), "idempotency-key": "key-3" };
    const first = await post("/convert/batch", body, headers);
    expect(first.status).toBe(202);
    const again = await post("/convert/batch", body, headers);
    expect(again.json).toEqual(first.json);
    expect(await jobsFor("idem-3")).toBe(1);
    const changed = await post("/convert/batch", { items: body.items.slice(0, 1) }, headers);
    expect(changed.status).toBe(422);
    await waitForJob(stack.url, (first.json.items as { job_id: string }[])[0]?.job_id ?? "", as(ADMIN));
  });

  it("refuses a malformed key with 400 before doing anything", async () => {
    const data = { url: `${images.url}/rocket.jpg`, article_id: "idem-4" };
    const res = await post("/convert", { data }, { ...as(ADMIN), "idempotency-key": "x".repeat(300) });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 400, code: "invalid_idempotency_key" });
    expect((await stack.sql`select count(*)::int as n from images where article_id = 'idem-4'`)[0]?.n).toBe(
      0,
    );
  });
});
