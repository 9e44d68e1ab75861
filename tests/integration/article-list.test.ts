import { createUser, type NewImage, type Sql, saveImage } from "@belfoot/db";
import { type ImageServer, startImageServer } from "@belfoot/testkit";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../services/admin-auth/src/auth/passwords";
import { basic, http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

type User = { username: string; password: string };
const ALICE = { username: "lister-alice", password: "alice-pass-12" };
const BOB = { username: "lister-bob", password: "bob-pass-1234" };
// The visibility test's own two users: the other tests store for Alice and Bob in any order.
const CAROL = { username: "lister-carol", password: "carol-pass-12" };
const DAVE = { username: "lister-dave", password: "dave-pass-123" };
const ids: Record<string, number> = {};

let stack: Stack;
let images: ImageServer;

beforeAll(async () => {
  images = await startImageServer();
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin } });
  for (const u of [ALICE, BOB, CAROL, DAVE]) {
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

const as = (u: User) => basic(u.username, u.password);
const list = (query: string, u: User) => http(`${stack.url}/articles${query}`, { headers: as(u) });

let serial = 0;
/** A stored article image row, as the converter would store it (the listing only reads rows). */
const row = (articleId: string, ownerId: number): NewImage => ({
  articleId,
  ownerId,
  sourceUrl: `http://example.test/${articleId}.png`,
  sourceFormat: "png",
  sourceBytes: 100,
  sourceWidth: 10,
  sourceHeight: 10,
  width: 10,
  height: 10,
  quality: 80,
  encodes: 1,
  data: Buffer.from(`jpeg-${++serial}`),
});

/** Several images in one transaction share one created_at: the id must break the tie. */
async function storeTogether(sql: Sql, articleIds: string[], ownerId: number): Promise<void> {
  await sql.begin(async (tx) => {
    for (const id of articleIds) await saveImage(tx as unknown as Sql, row(id, ownerId));
  });
}

type Item = { article_id: string; id: number };
type Page = { items: Item[]; next_cursor: string | null };

/** Every page from the first, calling `between` after each page (to store more meanwhile). */
async function allPages(query: string, u: User, between: () => Promise<void> = async () => {}) {
  const seen: Item[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = query.includes("?") ? "&" : "?";
    const answer = await list(cursor === null ? query : `${query}${sep}cursor=${cursor}`, u);
    expect(answer.status, answer.body.toString()).toBe(200);
    const page = answer.json as unknown as Page;
    seen.push(...page.items);
    cursor = page.next_cursor;
    pages++;
    await between();
  } while (cursor !== null && pages < 100);
  return { seen, pages };
}

describe("GET /articles lists the caller's article images, newest first, by keyset pages", () => {
  it("pages through every image once, without duplicates or gaps, while new images arrive", async () => {
    const alice = ids[ALICE.username] ?? 0;
    const first = Array.from({ length: 7 }, (_, i) => `PAGE-A${i}`);
    const second = Array.from({ length: 6 }, (_, i) => `PAGE-B${i}`);
    await storeTogether(stack.sql, first, alice);
    await storeTogether(stack.sql, second, alice);
    const expected = [...second.reverse(), ...first.reverse()];

    let arrivals = 0;
    const { seen, pages } = await allPages("?limit=4", ALICE, async () => {
      await storeTogether(stack.sql, [`PAGE-NEW${arrivals++}`, `PAGE-NEW${arrivals++}`], alice);
    });

    expect(pages).toBe(4);
    // The images stored while paging are newer than the first page: none shows up later.
    expect(seen.map((i) => i.article_id)).toEqual(expected);

    const fresh = await list("?limit=2", ALICE);
    expect((fresh.json as unknown as Page).items.map((i) => i.article_id)).toEqual([
      `PAGE-NEW${arrivals - 1}`,
      `PAGE-NEW${arrivals - 2}`,
    ]);
  });

  it("describes each image exactly as GET /articles/:article_id/meta does", async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#3a7" } })
      .png()
      .toBuffer();
    images.setRoute("/listed.png", { body: png, contentType: "image/png" });
    const stored = await http(`${stack.url}/convert`, {
      json: { user: BOB, data: { url: `${images.url}/listed.png`, article_id: "LISTED-1" } },
    });
    expect(stored.status).toBe(201);
    const answer = await list("?limit=1", BOB);
    const meta = await http(`${stack.url}/articles/LISTED-1/meta`, { headers: as(BOB) });
    const { status: _s, message: _m, ...fields } = meta.json;
    expect((answer.json as unknown as Page).items).toEqual([fields]);
  });

  it("shows a user only their own images; admins everyone's, or one owner's by id or name", async () => {
    const carol = ids[CAROL.username] ?? 0;
    const dave = ids[DAVE.username] ?? 0;
    await storeTogether(stack.sql, ["CAROL-1", "CAROL-2", "CAROL-3"], carol);
    await storeTogether(stack.sql, ["DAVE-1", "DAVE-2"], dave);

    const mine = async (u: User) => (await allPages("?limit=200", u)).seen.map((i) => i.article_id).sort();
    const ofCarol = await mine(CAROL);
    const ofDave = await mine(DAVE);
    expect(ofCarol).toEqual(["CAROL-1", "CAROL-2", "CAROL-3"]);
    expect(ofDave).toEqual(["DAVE-1", "DAVE-2"]);

    // Everyone's is each user's own, whatever the other tests stored by now.
    const everyone = (await allPages("?limit=3", ADMIN)).seen.map((i) => i.article_id);
    const eachOwn = [...(await mine(ALICE)), ...(await mine(BOB)), ...ofCarol, ...ofDave];
    expect(everyone.sort()).toEqual(eachOwn.sort());
    const byName = (await allPages(`?owner=${DAVE.username}`, ADMIN)).seen.map((i) => i.article_id);
    const byId = (await allPages(`?owner=${dave}&limit=1`, ADMIN)).seen.map((i) => i.article_id);
    expect(byName.sort()).toEqual(ofDave);
    expect(byId.sort()).toEqual(ofDave);

    const peek = await list(`?owner=${CAROL.username}`, DAVE);
    expect(peek.status).toBe(403);
    expect(peek.json.code).toBe("forbidden");
    expect((await list("?owner=nobody-here", ADMIN)).status).toBe(404);
  });

  it("refuses a bad limit or cursor with a 400 JSON error", async () => {
    const goodCursor = Buffer.from(JSON.stringify(["2026-01-01T00:00:00.000000Z", 5])).toString("base64url");
    expect((await list(`?cursor=${goodCursor}`, ALICE)).status).toBe(200);
    for (const query of [
      "?limit=0",
      "?limit=201",
      "?limit=ten",
      "?limit=1.5",
      "?cursor=%%%",
      "?cursor=bm90LWpzb24",
      `?cursor=${Buffer.from(JSON.stringify(["yesterday", 5])).toString("base64url")}`,
      `?cursor=${Buffer.from(JSON.stringify(["2026-01-01T00:00:00.000000Z", -1])).toString("base64url")}`,
      "?cursor=",
    ]) {
      const answer = await list(query, ALICE);
      expect(answer.status, query).toBe(400);
      expect(answer.json).toMatchObject({
        status: 400,
        code: expect.any(String),
        message: expect.any(String),
      });
      expect(answer.json.request_id).toBeTruthy();
    }
    expect((await http(`${stack.url}/articles`)).status).toBe(401);
  });
});
