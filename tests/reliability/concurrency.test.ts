import { createHash } from "node:crypto";
import { type ImageServer, startImageServer } from "@belfoot/testkit";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
const COUNT = 50;

/** 50 distinct small images: each a different colour and size, so every stored result is traceable. */
async function makeImage(i: number): Promise<Buffer> {
  return sharp({
    create: {
      width: 64 + i,
      height: 48 + i,
      channels: 3,
      background: { r: (i * 5) % 256, g: 255 - i * 3, b: 90 },
    },
  })
    .png()
    .toBuffer();
}

beforeAll(async () => {
  images = await startImageServer();
  for (let i = 0; i < COUNT; i++)
    images.setRoute(`/img-${i}.png`, { body: await makeImage(i), contentType: "image/png" });
  stack = await startStack({
    env: { ALLOW_PRIVATE_SOURCES: images.origin, COMPRESS_CONCURRENCY: "2", COMPRESS_QUEUE_MAX: "200" },
  });
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

const convert = (i: number, articleId: string) =>
  http(`${stack.url}/convert`, {
    json: { user: ADMIN, data: { url: `${images.url}/img-${i}.png`, article_id: articleId } },
  });

describe("concurrent posts", () => {
  it(`${COUNT} posts of one article id end with exactly one stored image, equal to one of them`, async () => {
    const answers = await Promise.all(Array.from({ length: COUNT }, (_, i) => convert(i, "HOT-1")));
    expect(answers.every((a) => a.status === 201 || a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const ids = new Set(answers.map((a) => a.json.id));
    expect(ids.size).toBe(1);

    const rows = await stack.sql<{ sha256: string; width: number; bytes: number }[]>`
      select sha256, width, bytes from images where article_id = 'HOT-1'`;
    expect(rows).toHaveLength(1);
    const stored = rows[0];
    const candidates = answers.map((a) => a.json.sha256);
    expect(candidates).toContain(stored?.sha256);
    // Never a mix: the stored bytes hash to the stored sha256, and the metadata is that answer's.
    const got = await http(`${stack.url}/articles/HOT-1`, { headers: basic(ADMIN.username, ADMIN.password) });
    expect(createHash("sha256").update(got.body).digest("hex")).toBe(stored?.sha256);
    const winner = answers.find((a) => a.json.sha256 === stored?.sha256);
    expect(stored?.width).toBe(winner?.json.width);
    expect((await sharp(got.body).metadata()).width).toBe(stored?.width);
  });

  it("concurrent posts of different articles are all stored", async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => convert(i, `MANY-${i}`)));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(201));
    const [row] = await stack.sql<
      { n: number }[]
    >`select count(*)::int as n from images where article_id like 'MANY-%'`;
    expect(row?.n).toBe(30);
  });
});
