import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createUser, findImageByArticle, findImageMetaByArticle } from "@belfoot/db";
import { type ImageServer, startImageServer } from "@belfoot/testkit";
import Fastify, { type FastifyInstance } from "fastify";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorHandler } from "../../packages/errors/src";
import { hashPassword } from "../../services/admin-auth/src/auth/passwords";
import { ImageBytesCache } from "../../services/admin-auth/src/image-bytes-cache";
import { sendImage } from "../../services/admin-auth/src/image-reply";
import type { Caller } from "../../services/admin-auth/src/plugins/authenticate";
import { AccelKey } from "../../services/admin-auth/src/reads/accel";
import { basic, http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

type User = { username: string; password: string };
const ALICE = { username: "alice", password: "alice-pass-12" };
const BOB = { username: "bob", password: "bob-pass-1234" };
const ids: Record<string, number> = {};

let stack: Stack;
let images: ImageServer;

/** A small PNG of its own colour per source, so every stored image is told apart by its sha256. */
const png = (red: number) =>
  sharp({ create: { width: 96, height: 64, channels: 3, background: { r: red, g: 120, b: 40 } } })
    .png()
    .toBuffer();

beforeAll(async () => {
  images = await startImageServer();
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin } });
  for (const u of [ALICE, BOB]) {
    const row = await createUser(stack.sql, {
      username: u.username,
      passwordHash: await hashPassword(u.password),
      role: "user",
    });
    ids[u.username] = row?.id ?? 0;
  }
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

let red = 0;
/** A source path of its own, serving a fresh colour: its hit count says whether it was fetched. */
async function source(): Promise<string> {
  const path = `/src-${++red}.png`;
  images.setRoute(path, { body: await png(red * 7), contentType: "image/png" });
  return path;
}

const convert = (path: string, articleId: string, user: User) =>
  http(`${stack.url}/convert`, {
    json: { user, data: { url: `${images.url}${path}`, article_id: articleId } },
  });
const as = (u: User) => basic(u.username, u.password);
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("an article id belongs to the account that first stored it", () => {
  it("refuses another account with 409 article_taken before fetching anything; nothing changes", async () => {
    const stored = await convert(await source(), "OWN-1", ALICE);
    expect(stored.status).toBe(201);
    const before = await findImageMetaByArticle(stack.sql, "OWN-1");

    const bobSource = await source();
    const taken = await convert(bobSource, "OWN-1", BOB);
    expect(taken.status).toBe(409);
    expect(taken.json).toMatchObject({ status: 409, code: "article_taken" });
    expect(typeof taken.json.message).toBe("string");
    expect(typeof taken.json.request_id).toBe("string");
    // Refused before the download: the source server never saw bob's attempt.
    expect(images.hits(bobSource)).toBe(0);

    const after = await findImageMetaByArticle(stack.sql, "OWN-1");
    expect(after).toEqual(before);
    expect(after?.ownerId).toBe(ids.alice);
    const read = await http(`${stack.url}/articles/OWN-1`, { headers: as(ALICE) });
    expect(read.status).toBe(200);
    expect(sha256(read.body)).toBe(stored.json.sha256);
    expect((await http(`${stack.url}/articles/OWN-1`, { headers: as(BOB) })).status).toBe(403);
    const bobDelete = await http(`${stack.url}/articles/OWN-1`, { method: "DELETE", headers: as(BOB) });
    expect(bobDelete.status).toBe(403);
    expect(await findImageMetaByArticle(stack.sql, "OWN-1")).toEqual(before);
  });

  it("lets the owner replace it (200) and an admin replace it, the owner staying the owner", async () => {
    const first = await convert(await source(), "OWN-2", ALICE);
    expect(first.status).toBe(201);
    const again = await convert(await source(), "OWN-2", ALICE);
    expect(again.status).toBe(200);

    const adminSource = await source();
    const replaced = await convert(adminSource, "OWN-2", ADMIN);
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ message: "image replaced", id: first.json.id });
    expect(images.hits(adminSource)).toBe(1);
    const row = await findImageMetaByArticle(stack.sql, "OWN-2");
    expect(row?.ownerId).toBe(ids.alice);
    expect(row?.sha256).toBe(replaced.json.sha256);

    const read = await http(`${stack.url}/articles/OWN-2`, { headers: as(ALICE) });
    expect(read.status).toBe(200);
    expect(sha256(read.body)).toBe(replaced.json.sha256);
    // Still alice's: bob is refused as before.
    expect((await convert(await source(), "OWN-2", BOB)).status).toBe(409);
  });

  it("refuses a user an article an admin stored first", async () => {
    expect((await convert(await source(), "OWN-3", ADMIN)).status).toBe(201);
    const bobSource = await source();
    expect((await convert(bobSource, "OWN-3", BOB)).json.code).toBe("article_taken");
    expect(images.hits(bobSource)).toBe(0);
  });
});

/**
 * Two sources that answer only once both were requested: each conversion has passed its ownership
 * check (made before the download) by then, so only the store itself can settle who wins.
 */
async function heldTogether(): Promise<[string, string]> {
  const paths: [string, string] = [`/held-${++red}a.png`, `/held-${red}b.png`];
  const bodies = await Promise.all([png(red * 7), png(red * 7 + 3)]);
  const waiting: (() => void)[] = [];
  paths.forEach((path, i) => {
    images.setRoute(path, (_req: IncomingMessage, res: ServerResponse) => {
      const answer = () =>
        res.writeHead(200, { "content-type": "image/png" }).end(bodies[i] ?? Buffer.alloc(0));
      waiting.push(answer);
      if (waiting.length === 2) for (const go of waiting) go();
    });
  });
  return paths;
}

describe("two first stores of one article at once", () => {
  it("by two accounts: exactly one 201, the other 409; by one account: 201 and 200 replaced", async () => {
    const [a, b] = await heldTogether();
    const answers = await Promise.all([convert(a, "RACE-1", ALICE), convert(b, "RACE-1", BOB)]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = answers.find((r) => r.status === 201);
    const loser = answers.find((r) => r.status === 409);
    expect(loser?.json.code).toBe("article_taken");
    const row = await findImageMetaByArticle(stack.sql, "RACE-1");
    expect(row?.sha256).toBe(winner?.json.sha256);
    expect(row?.ownerId).toBe(answers[0] === winner ? ids.alice : ids.bob);

    const [c, d] = await heldTogether();
    const same = await Promise.all([convert(c, "RACE-2", ALICE), convert(d, "RACE-2", ALICE)]);
    expect(same.map((r) => r.status).sort()).toEqual([200, 201]);
    const [count] = await stack.sql<{ n: number; owner: number }[]>`
      select count(*)::int as n, min(owner_id)::int as owner from images where article_id = 'RACE-2'`;
    expect(count).toEqual({ n: 1, owner: ids.alice });
  });
});

describe("a read re-checks access on the row it serves", () => {
  let probe: FastifyInstance;
  afterAll(async () => probe?.close());

  it("refuses the image another account stored between the access check and the load", async () => {
    expect((await convert(await source(), "SWAP-1", ALICE)).status).toBe(201);
    const checked = await findImageMetaByArticle(stack.sql, "SWAP-1");
    if (!checked) throw new Error("not stored");
    const alice: Caller = {
      id: ids.alice ?? 0,
      username: ALICE.username,
      role: "user",
      credentialsVersion: 1,
    };
    const cache = new ImageBytesCache(1 << 20);

    // A gateway read whose access check (on `checked`) passed; before its bytes load, alice's image is
    // deleted and bob stores the article anew. The load then finds bob's row.
    probe = Fastify();
    await probe.register(errorHandler);
    probe.decorateRequest("caller", null);
    probe.get("/probe", async (request, reply) => {
      request.caller = alice;
      return sendImage(
        request,
        reply,
        checked,
        async () => {
          const gone = await http(`${stack.url}/articles/SWAP-1`, { method: "DELETE", headers: as(ALICE) });
          expect(gone.status).toBe(200);
          expect((await convert(await source(), "SWAP-1", BOB)).status).toBe(201);
          return findImageByArticle(stack.sql, "SWAP-1");
        },
        { cacheMaxAge: 60, images: cache, accel: new AccelKey("probe-internal-token") },
      );
    });
    const url = await probe.listen({ host: "127.0.0.1", port: 0 });

    const res = await http(`${url}/probe`);
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ status: 403, code: "forbidden" });
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const bobs = await findImageMetaByArticle(stack.sql, "SWAP-1");
    expect(bobs?.ownerId).toBe(ids.bob);
    // Bob's bytes were cached by that load; alice's own read of the article still gets 403, bob 200.
    expect((await http(`${stack.url}/articles/SWAP-1`, { headers: as(ALICE) })).status).toBe(403);
    expect((await http(`${stack.url}/articles/SWAP-1`, { headers: as(BOB) })).status).toBe(200);
  });
});
