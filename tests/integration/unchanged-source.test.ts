import { createUser, findImageMetaByArticle } from "@belfoot/db";
import { type ImageServer, startImageServer } from "@belfoot/testkit";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../services/admin-auth/src/auth/passwords";
import { basic, http } from "../support/http";
import { waitForJob } from "../support/jobs";
import { type Stack, startStack } from "../support/stack";

const CAROL = { username: "carol-unchanged", password: "carol-pass-12" };
const DAVE = { username: "dave-unchanged", password: "dave-pass-123" };

let stack: Stack;
let images: ImageServer;

beforeAll(async () => {
  images = await startImageServer();
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin } });
  for (const u of [CAROL, DAVE]) {
    await createUser(stack.sql, {
      username: u.username,
      passwordHash: await hashPassword(u.password),
      role: "user",
    });
  }
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

const png = (red: number) =>
  sharp({ create: { width: 120, height: 80, channels: 3, background: { r: red, g: 90, b: 30 } } })
    .png()
    .toBuffer();

const convert = (path: string, articleId: string, user = CAROL) =>
  http(`${stack.url}/convert`, {
    json: { user, data: { url: `${images.url}${path}`, article_id: articleId } },
  });

/** A sample of the converter's metrics with this label among its labels (0 when absent). */
async function metric(name: string, label = ""): Promise<number> {
  const text = (await http(`${stack.converterMetricsUrl}/metrics`)).body.toString();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line ? Number(line.split(" ").at(-1)) : 0;
}
const compressions = () => metric("belfoot_compress_encodes_count");

/** A source with an ETag that counts its requests and answers 304 to a matching If-None-Match. */
function validatingRoute(path: string, state: { etag: string; body: Buffer; conditional: number }) {
  images.setRoute(path, (req, res) => {
    if (req.headers["if-none-match"] === state.etag) {
      state.conditional++;
      res.writeHead(304, { etag: state.etag }).end();
      return;
    }
    res.writeHead(200, { "content-type": "image/png", etag: state.etag }).end(state.body);
  });
}

describe("a repeat conversion of an unchanged source costs nothing", () => {
  it("sends If-None-Match, and on 304 keeps the stored image: unchanged, no decode or encode", async () => {
    const state = { etag: '"rev-1"', body: await png(10), conditional: 0 };
    validatingRoute("/etag.png", state);
    expect((await convert("/etag.png", "UNCH-1")).status).toBe(201);
    const before = await findImageMetaByArticle(stack.sql, "UNCH-1");
    const compressed = await compressions();
    expect(compressed).toBeGreaterThan(0);

    const repeat = await convert("/etag.png", "UNCH-1");
    expect(repeat.status).toBe(200);
    expect(repeat.json).toMatchObject({ status: 200, unchanged: true, sha256: before?.sha256 });
    expect(images.hits("/etag.png")).toBe(2);
    expect(state.conditional).toBe(1);
    expect(await compressions()).toBe(compressed);
    expect(await metric("belfoot_unchanged_sources_total", 'by="not_modified"')).toBe(1);
    const after = await findImageMetaByArticle(stack.sql, "UNCH-1");
    expect(after?.updatedAt).toEqual(before?.updatedAt);
    expect(after?.sha256).toBe(before?.sha256);
  });

  it("re-encodes a source that changed, and keeps its new validators", async () => {
    const state = { etag: '"rev-1"', body: await png(40), conditional: 0 };
    validatingRoute("/changing.png", state);
    expect((await convert("/changing.png", "UNCH-2")).status).toBe(201);
    const before = await findImageMetaByArticle(stack.sql, "UNCH-2");
    const compressed = await compressions();

    Object.assign(state, { etag: '"rev-2"', body: await png(200) });
    const changed = await convert("/changing.png", "UNCH-2");
    expect(changed.status).toBe(200);
    expect(changed.json.unchanged).toBeUndefined();
    expect(changed.json.sha256).not.toBe(before?.sha256);
    expect(await compressions()).toBe(compressed + 1);

    const again = await convert("/changing.png", "UNCH-2");
    expect(again.json).toMatchObject({ unchanged: true, sha256: changed.json.sha256 });
    expect(state.conditional).toBe(1);
  });

  it("keeps an image whose source has no validators when the bytes are identical", async () => {
    images.setRoute("/plain.png", { body: await png(90), contentType: "image/png" });
    expect((await convert("/plain.png", "UNCH-3")).status).toBe(201);
    const before = await findImageMetaByArticle(stack.sql, "UNCH-3");
    const compressed = await compressions();

    const repeat = await convert("/plain.png", "UNCH-3");
    expect(repeat.json).toMatchObject({ status: 200, unchanged: true, sha256: before?.sha256 });
    expect(await compressions()).toBe(compressed);
    expect(await metric("belfoot_unchanged_sources_total", 'by="same_bytes"')).toBe(1);
    expect((await findImageMetaByArticle(stack.sql, "UNCH-3"))?.updatedAt).toEqual(before?.updatedAt);
  });

  it("answers a queued repeat the same way: the job's result is unchanged", async () => {
    images.setRoute("/queued.png", { body: await png(150), contentType: "image/png" });
    expect((await convert("/queued.png", "UNCH-4")).status).toBe(201);
    const compressed = await compressions();
    const headers = { ...basic(CAROL.username, CAROL.password), prefer: "respond-async" };
    const data = { url: `${images.url}/queued.png`, article_id: "UNCH-4" };
    const queued = await http(`${stack.url}/convert`, { json: { data }, headers });
    expect(queued.status).toBe(202);
    const job = await waitForJob(
      stack.url,
      queued.json.job_id as string,
      basic(CAROL.username, CAROL.password),
    );
    expect(job).toMatchObject({ state: "completed", result: { status: 200, unchanged: true } });
    expect(await compressions()).toBe(compressed);
  });

  it("still refuses another account first: 409 article_taken, and the source is not fetched", async () => {
    const hits = images.hits("/plain.png");
    const taken = await convert("/plain.png", "UNCH-3", DAVE);
    expect(taken.status).toBe(409);
    expect(taken.json.code).toBe("article_taken");
    expect(images.hits("/plain.png")).toBe(hits);
  });
});
