import { readFile } from "node:fs/promises";
import { crc32 } from "node:zlib";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import sharp from "sharp";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
/** Serves whatever an SVG references; its hit counter must stay at 0. */
let referenced: ImageServer;
const MAX_SOURCE_BYTES = 100_000;
const truncated = await readFile(corpusPath("bad-truncated.jpg"));
const timers = new Set<NodeJS.Timeout>();
let rssBefore = 0;

/** A valid PNG whose IHDR claims width × height (CRC fixed), with a 1×1 image's data. */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: "white" } })
    .png()
    .toBuffer();
  const out = Buffer.from(png);
  // 8-byte signature, then IHDR: length(4) type(4) width(4) height(4) ...; CRC over type+data.
  expect(out.toString("latin1", 12, 16)).toBe("IHDR");
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

/** A 1×1 GIF frame on a 65535×65535 logical screen, or (hugeFrame) a frame of that size too. */
function gif(hugeFrame = false): Buffer {
  const screen = [0xff, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00]; // 65535×65535, 2-colour global table
  const palette = [0x00, 0x00, 0x00, 0xff, 0xff, 0xff];
  const size = hugeFrame ? [0xff, 0xff, 0xff, 0xff] : [0x01, 0x00, 0x01, 0x00];
  const descriptor = [0x2c, 0x00, 0x00, 0x00, 0x00, ...size, 0x00];
  const pixels = [0x02, 0x02, 0x44, 0x01, 0x00]; // LZW min code size 2, one block, terminator
  return Buffer.concat([
    Buffer.from("GIF89a", "latin1"),
    Buffer.from([...screen, ...palette, ...descriptor, ...pixels, 0x3b]),
  ]);
}

beforeAll(async () => {
  images = await startImageServer();
  referenced = await startImageServer();
  referenced.setRoute("/x.png", { body: await pngClaiming(1, 1), contentType: "image/png" });
  images.setRoute("/bomb.png", { body: await pngClaiming(100_000, 100_000), contentType: "image/png" });
  images.setRoute("/gif-screen.gif", { body: gif(), contentType: "image/gif" });
  images.setRoute("/gif-frame.gif", { body: gif(true), contentType: "image/gif" });
  images.setRoute("/truncated.jpg", { body: truncated, contentType: "image/jpeg" });
  images.setRoute("/external.svg", {
    body: Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="200">` +
        `<image href="${referenced.url}/x.png" xlink:href="${referenced.url}/x.png" width="200" height="200"/></svg>`,
    ),
    contentType: "image/svg+xml",
  });
  images.setRoute("/huge.jpg", { body: Buffer.alloc(MAX_SOURCE_BYTES * 3, 7), contentType: "image/jpeg" });
  images.setRoute("/lying.png", (req, res) => {
    // Declares 10 bytes, then sends far more on the raw socket.
    const socket = req.socket;
    res.detachSocket(socket);
    socket.write(
      "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 10\r\nConnection: keep-alive\r\n\r\n",
    );
    socket.write(Buffer.alloc(50_000, 0x41));
    socket.end();
  });
  images.setRoute("/slow.jpg", (_req, res) => {
    res.writeHead(200, { "content-type": "image/jpeg", "content-length": "100000" });
    res.write(Buffer.from([0xff]));
    const timer = setInterval(() => res.write(Buffer.from([0xd8])), 1000);
    timers.add(timer);
    res.on("close", () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  });
  stack = await startStack({
    env: {
      ALLOW_PRIVATE_SOURCES: `${images.origin},${referenced.origin}`,
      MAX_SOURCE_BYTES: String(MAX_SOURCE_BYTES),
      FETCH_TOTAL_TIMEOUT_MS: "1500",
    },
  });
  rssBefore = process.memoryUsage().rss;
});
afterAll(async () => {
  for (const t of timers) clearInterval(t);
  await stack?.close();
  await images?.close();
  await referenced?.close();
});

let seq = 0;
const convert = (url: string, articleId = `bomb-${++seq}`) =>
  http(`${stack.url}/convert`, { json: { user: ADMIN, data: { url, article_id: articleId } } });

async function storedImages(): Promise<number> {
  const [row] = await stack.sql<
    { n: number }[]
  >`select count(*)::int as n from images where article_id like 'bomb-%'`;
  return row?.n ?? -1;
}

describe("decompression bombs and hostile sources through POST /convert", () => {
  it("a tiny PNG declaring 100000×100000 pixels: 413 too_many_pixels (refused from its header, never decoded)", async () => {
    const res = await convert(`${images.url}/bomb.png`);
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ status: 413, code: "too_many_pixels" });
    expect(await storedImages()).toBe(0);
  });

  it("a GIF with a 65535×65535 logical screen: refused, or decoded as its 1×1 frame", async () => {
    // libvips (libnsgif) clamps an absurd logical screen to the frame, so a 1×1 result is safe too.
    const res = await convert(`${images.url}/gif-screen.gif`, "gif-screen");
    if (res.status === 201) {
      expect(res.json).toMatchObject({ width: 1, height: 1 });
      const [row] = await stack.sql<{ w: number; h: number }[]>`
        select source_width as w, source_height as h from images where article_id = 'gif-screen'`;
      expect(row).toEqual({ w: 1, h: 1 });
    } else {
      expect([413, 422]).toContain(res.status);
      expect(typeof res.json.code).toBe("string");
    }
  });

  it("a GIF whose frame declares 65535×65535 pixels: 413 or 422, nothing stored", async () => {
    const res = await convert(`${images.url}/gif-frame.gif`);
    expect([413, 422]).toContain(res.status);
    expect(typeof res.json.code).toBe("string");
    expect(await storedImages()).toBe(0);
  });

  it("a truncated JPEG, cut in its header or in its pixels: 422 undecodable", async () => {
    const whole = await readFile(corpusPath("mate-dune.jpg"));
    images.setRoute("/cut-header.jpg", { body: whole.subarray(0, 2000), contentType: "image/jpeg" });
    images.setRoute("/cut-pixels.jpg", { body: whole.subarray(0, 50_000), contentType: "image/jpeg" });
    for (const name of ["truncated.jpg", "cut-header.jpg", "cut-pixels.jpg"]) {
      const res = await convert(`${images.url}/${name}`);
      expect(res.status, name).toBe(422);
      expect(res.json.code, name).toBe("undecodable");
    }
    expect(await storedImages()).toBe(0);
  });

  it("an SVG with an external reference: 422 unsupported_format and the reference is never fetched", async () => {
    const res = await convert(`${images.url}/external.svg`);
    expect(res.status).toBe(422);
    expect(res.json.code).toBe("unsupported_format");
    expect(images.hits("/external.svg")).toBe(1);
    expect(referenced.hits("/x.png")).toBe(0);
    expect(await storedImages()).toBe(0);
  });

  it("a source larger than MAX_SOURCE_BYTES: 413 source_too_large", async () => {
    const res = await convert(`${images.url}/huge.jpg`);
    expect(res.status).toBe(413);
    expect(res.json.code).toBe("source_too_large");
    expect(await storedImages()).toBe(0);
  });

  it("a source whose Content-Length lies: an answer, not a crash, and nothing stored", async () => {
    const res = await convert(`${images.url}/lying.png`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).not.toBe(500);
    expect(typeof res.json.code).toBe("string");
    expect(res.json.code).not.toBe("internal_error");
    expect(await storedImages()).toBe(0);
    expect((await http(`${stack.url}/health`)).status).toBe(200);
  });

  it("a 50 MB JSON body: 413 body_too_large", async () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 0x20);
    big.write('{"user":{"user_name":"admin","password":"x"},"data":{"url":"', 0);
    const res = await request(`${stack.url}/convert`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(big.length) },
      body: big,
    }).then(
      async (r) => ({ status: r.statusCode, json: (await r.body.json()) as { code?: string } }),
      (err: unknown) => ({ status: -1, json: { code: String(err) } }),
    );
    expect(res.status).toBe(413);
    expect(res.json.code).toBe("body_too_large");
  });

  it("deeply nested JSON: 400, and the server still answers", async () => {
    const depth = 100_000;
    for (const body of [
      "[".repeat(depth),
      `${"[".repeat(depth)}${"]".repeat(depth)}`,
      `{"data":${"[".repeat(depth)}`,
    ]) {
      const res = await http(`${stack.url}/convert`, {
        body,
        headers: { "content-type": "application/json" },
      });
      expect(res.status).toBe(400);
      expect(typeof res.json.code).toBe("string");
    }
    expect((await http(`${stack.url}/health`)).status).toBe(200);
  });

  it("a source trickling 1 byte/s: 504 source_timeout", async () => {
    const res = await convert(`${images.url}/slow.jpg`);
    expect(res.status).toBe(504);
    expect(res.json.code).toBe("source_timeout");
    expect(await storedImages()).toBe(0);
  });

  it("memory stays bounded after all the bombs", async () => {
    const grownMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    expect(grownMb).toBeLessThan(300);
    expect((await http(`${stack.url}/health`)).status).toBe(200);
  });
});
