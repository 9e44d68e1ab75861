import { readFile } from "node:fs/promises";
import path from "node:path";
import { scanData } from "@belfoot/testkit/jpegs";
import sharp, { type Sharp } from "sharp";
import { describe, expect, it } from "vitest";
import { compress, EngineError, lumaOf, ssim } from "../src/index";
import { CORPUS_DIR } from "./corpus";

const corpus = (file: string) => readFile(path.join(CORPUS_DIR, file));
const lowRes = async (img: Buffer | Sharp, w: number, h: number) => {
  const p = Buffer.isBuffer(img) ? sharp(img) : img;
  const { data, info } = await p
    .resize(w, h, { fit: "fill" })
    .toColourspace("srgb")
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return lumaOf(data, info.width, info.height, info.channels);
};
const errorCode = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return (err as EngineError).code;
  }
  throw new Error("expected an EngineError");
};

describe("sources of every kind", () => {
  it("EXIF orientation 6: the output is landscape and matches the rotated source", async () => {
    const input = await corpus("exif-rot6-kite.jpg");
    const result = await compress(input);
    expect(result.width).toBeGreaterThan(result.height);
    const rotated = await lowRes(sharp(input).rotate(), 160, 100);
    const unrotated = await lowRes(
      sharp(input).resize(1600, 2560).resize(2560, 1600, { fit: "fill" }),
      160,
      100,
    );
    const out = await lowRes(result.jpeg, 160, 100);
    expect(ssim(rotated, out)).toBeGreaterThan(0.95);
    expect(ssim(unrotated, out)).toBeLessThan(ssim(rotated, out) - 0.1);
  });

  it("alpha is flattened on white: a transparent pixel becomes white", async () => {
    // Left half transparent red, right half opaque blue.
    const w = 64;
    const data = Buffer.alloc(w * w * 4);
    for (let i = 0; i < w * w; i++) {
      const opaque = i % w >= w / 2;
      data.set(opaque ? [0, 0, 255, 255] : [255, 0, 0, 0], i * 4);
    }
    const png = await sharp(data, { raw: { width: w, height: w, channels: 4 } })
      .png()
      .toBuffer();
    const result = await compress(png);
    const { data: px, info } = await sharp(result.jpeg).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [
      ...px.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
    ];
    for (const c of at(8, 32)) expect(c).toBeGreaterThanOrEqual(245);
    const [r, g, b] = at(56, 32) as [number, number, number];
    expect(b).toBeGreaterThan(200);
    expect(r + g).toBeLessThan(60);
  });

  it("a greyscale source gives a one-channel greyscale JPEG", async () => {
    const result = await compress(await corpus("skimage-camera-gray.png"));
    const meta = await sharp(result.jpeg).metadata();
    expect(meta.channels).toBe(1);
    expect(meta.space).toBe("b-w");
  });

  it("a CMYK source gives an sRGB JPEG with the same picture", async () => {
    const input = await corpus("cmyk-storm.jpg");
    const result = await compress(input);
    const meta = await sharp(result.jpeg).metadata();
    expect(meta.space).toBe("srgb");
    expect(meta.channels).toBe(3);
    const ref = await lowRes(await corpus("mate-storm.jpg"), 192, 128);
    expect(ssim(ref, await lowRes(result.jpeg, 192, 128))).toBeGreaterThan(0.9);
  });

  it("an animated GIF gives its first frame", async () => {
    const frame = (rgb: [number, number, number]) =>
      sharp({
        create: { width: 48, height: 32, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } },
      })
        .png()
        .toBuffer();
    const gif = await sharp([await frame([255, 0, 0]), await frame([0, 0, 255])], {
      join: { animated: true },
    })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const result = await compress(gif);
    expect([result.width, result.height]).toEqual([48, 32]);
    const { data } = await sharp(result.jpeg).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(200); // red, the first frame
    expect(data[2]).toBeLessThan(60);
  });

  it("the corpus's animated GIF gives one frame of its size", async () => {
    const result = await compress(await corpus("anim-ladybird.gif"));
    expect([result.width, result.height]).toEqual([640, 400]);
  });

  it("a tiny source is encoded as it is, never upscaled", async () => {
    const result = await compress(await corpus("skimage-palette.png"));
    expect([result.width, result.height]).toEqual([10, 10]);
    expect(result.scale).toBe(1);
  });

  it("a JPEG already under budget passes through with identical scans, only its metadata gone", async () => {
    const input = await corpus("skimage-rocket.jpg");
    const result = await compress(input);
    expect(result.passthrough).toBe(true);
    expect(result.encodes).toBe(0);
    expect(scanData(result.jpeg)).toEqual(scanData(input));
    expect(result.jpeg.length).toBeLessThan(input.length);
    const pixels = (jpeg: Buffer) => sharp(jpeg).raw().toBuffer();
    expect(Buffer.compare(await pixels(result.jpeg), await pixels(input))).toBe(0);
  });

  it("a source under budget is re-encoded when a lower quality is asked", async () => {
    const result = await compress(await corpus("skimage-rocket.jpg"), { quality: 60 });
    expect(result.passthrough).toBe(false);
    expect(result.quality).toBeLessThanOrEqual(60);
  });

  it("a box smaller than the source is honoured", async () => {
    const result = await compress(await corpus("mate-aqua.jpg"), { maxWidth: 800, maxHeight: 800 });
    expect(result.width).toBe(800);
    expect(result.height).toBe(500);
  });

  it("a budget that cannot be met even at the smallest size is budget_unreachable", async () => {
    // 16 px tall noise cannot shrink below 16 px, and no quality puts it in 1 KiB.
    const w = 4000;
    const h = 16;
    const noise = Buffer.alloc(w * h * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    const png = await sharp(noise, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toBuffer();
    expect(await errorCode(compress(png, { maxBytes: 1024 }))).toBe("budget_unreachable");
  });

  it("refuses what it must: not an image, SVG, too many pixels", async () => {
    expect(await errorCode(compress(Buffer.from("definitely not an image")))).toBe("not_an_image");
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    expect(await errorCode(compress(svg))).toBe("unsupported_format");
    expect(await errorCode(compress(await corpus("mate-aqua.jpg"), { limitInputPixels: 1_000_000 }))).toBe(
      "too_many_pixels",
    );
  });
});
