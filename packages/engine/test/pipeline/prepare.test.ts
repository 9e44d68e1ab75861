import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { resolveOptions } from "../../src/options";
import { decodeSize, passThroughStep } from "../../src/pipeline/prepare";
import { decoded, gradient, noise, png, probed } from "./images";

describe("step 1: prepare", () => {
  it("probes the displayed size: EXIF orientation 6 swaps the sides", async () => {
    const jpeg = await sharp(noise(120, 80), { raw: { width: 120, height: 80, channels: 3 } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const state = await probed(jpeg);
    expect(state.display).toEqual({ width: 80, height: 120 });
    expect(state.counts).toEqual({ encodes: 0, previewEncodes: 0, sampleEncodes: 0, boundEncodes: 0 });
  });

  it("passes a JPEG that needs nothing through, and nothing else", async () => {
    const jpeg = await sharp(gradient(200, 100), { raw: { width: 200, height: 100, channels: 3 } })
      .jpeg()
      .toBuffer();
    const answer = await passThroughStep(await probed(jpeg));
    expect(answer).toMatchObject({ width: 200, height: 100, quality: null, passthrough: true });
    expect(await passThroughStep(await probed(jpeg, { quality: 70 }))).toBeUndefined();
    expect(await passThroughStep(await probed(await png(gradient(200, 100), 200, 100)))).toBeUndefined();
  });

  it("decodes no more pixels than the box, the pixel cap or the budget can use", () => {
    const display = { width: 8000, height: 4000 };
    const size = (o: Parameters<typeof resolveOptions>[0]) =>
      decodeSize({ display, opts: resolveOptions(o) });
    expect(size({ maxWidth: 1000 })).toEqual({ width: 1000, height: 500 });
    expect(size({ maxBytes: 50_000_000, maxOutputPixels: 2_000_000 })).toEqual({ width: 2000, height: 1000 });
    const budgetCapped = size({});
    expect(budgetCapped.width * budgetCapped.height).toBeLessThanOrEqual((184_320 * 8) / 0.25 + 8000);
    expect(size({ maxBytes: 50_000_000, maxOutputPixels: 100_000_000 })).toEqual(display);
  });

  it("decodes at that size, in 4:2:0 for colour and 4:4:4 (one channel) for grey", async () => {
    const colour = await decoded(await png(noise(300, 200), 300, 200), { maxWidth: 150 });
    expect([colour.decoded.width, colour.decoded.height, colour.decoded.channels]).toEqual([150, 100, 3]);
    expect(colour.size).toEqual({ width: 150, height: 100 });
    expect(colour.chroma).toBe("4:2:0");
    const grey = await decoded(await png(noise(64, 64, 7, 1), 64, 64, 1));
    expect([grey.decoded.channels, grey.chroma]).toEqual([1, "4:4:4"]);
  });
});
