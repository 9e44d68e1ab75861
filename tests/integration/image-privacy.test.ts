import { type ImageServer, startImageServer } from "@belfoot/testkit";
import { flatGreyJpeg, SECRETS, scanData, taggedJpeg } from "@belfoot/testkit/jpegs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
const { tagged } = await taggedJpeg();

beforeAll(async () => {
  images = await startImageServer();
  images.setRoute("/tagged.jpg", { body: tagged, contentType: "image/jpeg" });
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin, MAX_OUTPUT_PIXELS: "1000000" } });
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

const asAdmin = basic(ADMIN.username, ADMIN.password);

async function stored(articleOrId: { article: string } | { id: number }): Promise<Buffer> {
  const [row] =
    "article" in articleOrId
      ? await stack.sql<{ data: Buffer }[]>`select data from images where article_id = ${articleOrId.article}`
      : await stack.sql<{ data: Buffer }[]>`select data from images where id = ${articleOrId.id}`;
  if (!row) throw new Error("nothing stored");
  return row.data;
}

describe("what is stored and served is the image, not its metadata", () => {
  it("stores a JPEG under budget without EXIF, XMP, IPTC, comments or a trailer, and serves it as nosniff", async () => {
    const posted = await http(`${stack.url}/convert`, {
      json: { user: ADMIN, data: { url: `${images.url}/tagged.jpg`, article_id: "A-private" } },
    });
    expect(posted.status).toBe(201);
    const bytes = await stored({ article: "A-private" });
    for (const [what, text] of Object.entries(SECRETS)) expect(bytes.includes(text), what).toBe(false);
    expect(bytes.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    // Lossless: the same scans and profile, only the metadata gone.
    expect(scanData(bytes)).toEqual(scanData(tagged));
    expect((await sharp(bytes).metadata()).icc).toEqual((await sharp(tagged).metadata()).icc);

    const got = await http(`${stack.url}/articles/A-private`, { headers: asAdmin });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(bytes);
    expect(got.headers["x-content-type-options"]).toBe("nosniff");
    const byId = await http(`${stack.url}/img/${posted.json.id}`, { headers: asAdmin });
    expect(byId.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("stores at most MAX_OUTPUT_PIXELS of a small 50 MP upload", async () => {
    const img = flatGreyJpeg(7070, 7070).toString("base64");
    const posted = await http(`${stack.url}/img`, { json: { img }, headers: asAdmin });
    expect(posted.status).toBe(201);
    const meta = await sharp(await stored({ id: posted.json.id as number })).metadata();
    expect((meta.width ?? 0) * (meta.height ?? 0)).toBeLessThanOrEqual(1_000_000);
    expect([meta.width, meta.height]).toEqual([1000, 1000]);
    expect([posted.json.width, posted.json.height]).toEqual([1000, 1000]);
  });
});
