import type { ServerResponse } from "node:http";
import { type ImageServer, startImageServer } from "@belfoot/testkit";
import sharp from "sharp";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, http } from "../support/http";
import { queueState, waitUntil } from "../support/queue-state";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
/** A low-detail 2500×2500 JPEG: small in bytes, 6.25 MP decoded. */
let heavy: Buffer;
/** A small JPEG, quick to compress. */
let light: Buffer;
const HEAVY_PIXELS = 2500 * 2500;

beforeAll(async () => {
  const seed = await sharp({
    create: {
      width: 48,
      height: 48,
      channels: 3,
      background: "#808080",
      noise: { type: "gaussian", mean: 128, sigma: 50 },
    },
  })
    .png()
    .toBuffer();
  heavy = await sharp(seed).resize(2500, 2500).jpeg({ quality: 80 }).toBuffer();
  light = await sharp(seed).resize(400, 400).jpeg({ quality: 80 }).toBuffer();
  images = await startImageServer();
  // Three slots, but pixels for one heavy image only; a source must bring 1000 bytes/s over every 300 ms.
  stack = await startStack({
    env: {
      ALLOW_PRIVATE_SOURCES: images.origin,
      COMPRESS_CONCURRENCY: "3",
      COMPRESS_PIXEL_BUDGET: String(HEAVY_PIXELS + 1_000_000),
      FETCH_MIN_BYTES_PER_S: "1000",
      FETCH_SLOW_GRACE_MS: "300",
      FETCH_TOTAL_TIMEOUT_MS: "600000",
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

const auth = () => basic(ADMIN.username, ADMIN.password);

async function storedArticles(prefix: string): Promise<string[]> {
  const rows = await stack.sql<{ a: string }[]>`
    select article_id as a from images where article_id like ${`${prefix}%`} order by article_id`;
  return rows.map((r) => r.a);
}

describe("decoded pixels, not source bytes, bound the compressions at once", () => {
  it("runs heavy images one at a time within the pixel budget; one whose client left never runs or stores", async () => {
    // C's source is held back until A and B are in the queue, so C is last in line.
    let releaseC: (() => void) | undefined;
    images.setRoute("/a.jpg", { body: heavy, contentType: "image/jpeg" });
    images.setRoute("/b.jpg", { body: heavy, contentType: "image/jpeg" });
    images.setRoute("/c.jpg", (_req, res: ServerResponse) => {
      releaseC = () => res.writeHead(200, { "content-type": "image/jpeg" }).end(heavy);
    });
    const post = (name: string, signal?: AbortSignal) =>
      request(`${stack.url}/convert`, {
        method: "POST",
        headers: { "content-type": "application/json", ...auth() },
        body: JSON.stringify({ data: { url: `${images.url}/${name}.jpg`, article_id: `PX-${name}` } }),
        signal,
      }).then(
        async (res) => {
          await res.body.dump();
          return res.statusCode;
        },
        (err: unknown) => err,
      );
    const a = post("a");
    const b = post("b");
    const cClient = new AbortController();
    const c = post("c", cClient.signal);

    // Three slots free, yet only one heavy image runs: the other waits for pixels, not for a slot.
    await waitUntil("one heavy image runs and one waits", async () => {
      const s = await queueState(stack.converter);
      return s.active === 1 && s.waiting === 1 && s.fetching === 1;
    });
    expect(await queueState(stack.converter)).toMatchObject({
      activePixels: HEAVY_PIXELS,
      waitingPixels: HEAVY_PIXELS,
    });
    // The converter counts C as fetching before its request reaches the source: wait for the request itself.
    await waitUntil("C's source was asked for", () => releaseC !== undefined);
    releaseC?.();
    // C downloaded: it waits behind A and B, each of which runs alone.
    await waitUntil("C is in line", async () => {
      const s = await queueState(stack.converter);
      return s.fetching === 0 && s.active === 1 && s.waiting >= 1;
    });
    expect((await queueState(stack.converter)).activePixels).toBe(HEAVY_PIXELS);

    // C's client leaves while C waits: it leaves the line and is never compressed nor stored.
    cClient.abort();
    expect(await c).toMatchObject({ name: "AbortError" });
    expect(await a).toBe(201);
    expect(await b).toBe(201);
    await waitUntil("the queue is empty", async () => {
      const s = await queueState(stack.converter);
      return s.active + s.waiting + s.fetching + s.activePixels + s.waitingPixels === 0;
    });
    expect(await storedArticles("PX-")).toEqual(["PX-a", "PX-b"]);
  });
});

describe("a minimum source rate", () => {
  it("cuts off a source that trickles after the grace window (504 source_too_slow, connection closed, nothing stored), not one that keeps the rate", async () => {
    images.setRoute("/steady.jpg", (_req, res) => {
      res.writeHead(200, { "content-type": "image/jpeg", "content-length": String(light.length) });
      // Well above the floor, over several windows: the whole image in ~16 chunks.
      const step = Math.ceil(light.length / 16);
      let sent = 0;
      const timer = setInterval(() => {
        res.write(light.subarray(sent, sent + step));
        sent += step;
        if (sent >= light.length) {
          clearInterval(timer);
          res.end();
        }
      }, 100);
    });
    const steady = await http(`${stack.url}/convert`, {
      json: { data: { url: `${images.url}/steady.jpg`, article_id: "STEADY-1" } },
      headers: auth(),
    });
    expect(steady.status).toBe(201);

    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    images.setRoute("/trickle.jpg", (req, res) => {
      res.writeHead(200, { "content-type": "image/jpeg", "content-length": String(heavy.length) });
      // 20 bytes/s, far below the 1000 required.
      let sent = 0;
      timer = setInterval(() => res.write(heavy.subarray(sent, ++sent)), 50);
      req.socket.once("close", () => {
        closed = true;
        clearInterval(timer);
      });
    });
    const res = await http(`${stack.url}/convert`, {
      json: { data: { url: `${images.url}/trickle.jpg`, article_id: "SLOW-1" } },
      headers: auth(),
    });
    expect(res.status).toBe(504);
    expect(res.json).toMatchObject({ status: 504, code: "source_too_slow" });
    expect(res.json.message).toContain("1000 bytes/s");
    await waitUntil("the source connection is closed", () => closed);
    expect(await storedArticles("SLOW-")).toEqual([]);
    expect((await queueState(stack.converter)).fetching).toBe(0);
  });
});
