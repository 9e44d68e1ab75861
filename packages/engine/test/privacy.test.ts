import { flatGreyJpeg, SECRETS, scanData, taggedJpeg } from "@belfoot/testkit/jpegs";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { fitPixels } from "../src/geometry";
import { compress, DEFAULT_MAX_OUTPUT_PIXELS } from "../src/index";
import { stripJpegMetadata } from "../src/strip-metadata";

const pixelsOf = async (jpeg: Buffer) => (await sharp(jpeg).raw().toBuffer()).toString("base64");

function expectNoMetadata(jpeg: Buffer) {
  for (const [what, text] of Object.entries(SECRETS)) {
    expect(jpeg.includes(text), `${what} is gone`).toBe(false);
  }
  for (const tag of ["Exif\0\0", "http://ns.adobe.com/xap", "Photoshop 3.0"]) {
    expect(jpeg.includes(tag), `${tag} segment is gone`).toBe(false);
  }
  // Nothing after the end of the image.
  expect(jpeg.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
}

describe("stored images carry no metadata", () => {
  let tagged: Buffer;
  let plain: Buffer;
  beforeAll(async () => {
    ({ tagged, plain } = await taggedJpeg());
  });

  it("passes a JPEG under budget through without its metadata, keeping its profile, scans and pixels", async () => {
    const r = await compress(tagged);
    expect(r.passthrough).toBe(true);
    expectNoMetadata(r.jpeg);
    const [before, after] = await Promise.all([sharp(tagged).metadata(), sharp(r.jpeg).metadata()]);
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(after.icc).toEqual(before.icc);
    expect(scanData(r.jpeg)).toEqual(scanData(tagged)); // entropy-coded data byte for byte
    expect(await pixelsOf(r.jpeg)).toBe(await pixelsOf(tagged));
    expect(r.jpeg.length).toBeLessThan(tagged.length);
  });

  it("strips to exactly what the encoder wrote without metadata", () => {
    expect(stripJpegMetadata(tagged)).toEqual(stripJpegMetadata(plain));
    expect(stripJpegMetadata(plain)?.length).toBe(plain.length);
  });

  it("writes no metadata into a re-encoded JPEG either", async () => {
    const r = await compress(tagged, { quality: 80 });
    expect(r.passthrough).toBe(false);
    expectNoMetadata(r.jpeg);
    const meta = await sharp(r.jpeg).metadata();
    expect([meta.exif, meta.xmp, meta.iptc, meta.icc]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("refuses to walk what is not a well-formed JPEG", () => {
    expect(stripJpegMetadata(Buffer.from("GIF89a"))).toBeUndefined();
    expect(stripJpegMetadata(tagged.subarray(0, tagged.length - 200))).toBeUndefined(); // no EOI
    const garbage = Buffer.concat([tagged.subarray(0, 2), Buffer.from("junk"), tagged.subarray(2)]);
    expect(stripJpegMetadata(garbage)).toBeUndefined();
  });

  it("keeps restart markers and stuffed bytes inside the scan data", () => {
    const sos = [0xff, 0xda, 0x00, 0x08, 1, 1, 0x00, 0, 63, 0];
    const data = [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xd1, 0x78];
    const jpeg = Buffer.from([0xff, 0xd8, ...sos, ...data, 0xff, 0xff, 0xd9, 0x3c, 0x68]);
    expect(stripJpegMetadata(jpeg)).toEqual(Buffer.from([0xff, 0xd8, ...sos, ...data, 0xff, 0xd9]));
  });
});

describe("the output pixel cap", () => {
  const small50mp = flatGreyJpeg(7070, 7070);

  it("downscales a small 7070 x 7070 JPEG instead of storing 50 MP", async () => {
    expect(small50mp.length).toBeLessThan(184_320);
    const r = await compress(small50mp);
    expect(r.passthrough).toBe(false);
    expect(r.width * r.height).toBeLessThanOrEqual(DEFAULT_MAX_OUTPUT_PIXELS);
    expect(r.width).toBe(r.height);
  });

  it("holds for a caller's cap where the budget would allow more", async () => {
    const r = await compress(small50mp, { maxBytes: 4_000_000, maxOutputPixels: 1_000_000 });
    expect(r.width * r.height).toBeLessThanOrEqual(1_000_000);
    expect(r.width).toBe(1000);
  });

  it("fits sizes of any proportion under a pixel count, within a pixel of the proportion", () => {
    for (const [w, h, max] of [
      [7070, 7070, 16_777_216],
      [8000, 2000, 10_000_000],
      [3001, 1999, 1_000_003],
      [100, 7000, 5_000],
    ] as const) {
      const s = fitPixels({ width: w, height: h }, max);
      expect(s.width * s.height).toBeLessThanOrEqual(max);
      const [long, short] = w >= h ? [s.width, s.height] : [s.height, s.width];
      expect(Math.abs(short - (long * Math.min(w, h)) / Math.max(w, h))).toBeLessThanOrEqual(1);
      // Nearly the largest such size: one pixel more on the long side is over (unless rounding a
      // sliver's short side leaves room).
      const longer = long + 1;
      if (short >= 100)
        expect(longer * Math.round((Math.min(w, h) * longer) / Math.max(w, h))).toBeGreaterThan(max);
    }
    expect(fitPixels({ width: 800, height: 600 }, 1_000_000)).toEqual({ width: 800, height: 600 });
  });
});
