import { describe, expect, it } from "vitest";
import { TARGET_QUALITY } from "../../src/decide-scale";
import { EngineError } from "../../src/errors";
import { MIN_SIDE } from "../../src/options";
import { planFirstSize, shrinkAfterFloorMiss, sizeAttempt } from "../../src/pipeline/decide-scale";
import { decoded, noise, png } from "./images";

describe("step 2: decide the scale", () => {
  it("starts a small image at its decoded size and the ceiling, with no preview", async () => {
    const state = await decoded(await png(noise(320, 240), 320, 240));
    await planFirstSize(state);
    expect(state.size).toEqual({ width: 320, height: 240 });
    expect(state.start).toBe(state.opts.qualityCeiling);
    expect(state.counts.previewEncodes).toBe(0);
  });

  it("sizes an image too short for a row sample from one preview encode", async () => {
    const state = await decoded(await png(noise(1800, 320), 1800, 320), { maxBytes: 60_000 });
    await planFirstSize(state);
    expect(state.counts.previewEncodes).toBe(1);
    expect(state.size.width).toBeLessThan(1800);
    expect(Math.abs(state.size.height - (state.size.width * 320) / 1800)).toBeLessThanOrEqual(1);
  });

  it("moves a large image to a smaller size on its row sample's word, keeping that sample encode", async () => {
    const state = await decoded(await png(noise(2400, 1800), 2400, 1800), { maxBytes: 400_000 });
    await planFirstSize(state);
    expect(state.start).toBe(TARGET_QUALITY);
    const attempt = await sizeAttempt(state);
    expect(attempt.sample).toBeDefined();
    expect(attempt.pixels.width).toBeLessThan(2400);
    expect(attempt.resized).toBe(true);
    expect(attempt.known.map((k) => k.quality)).toEqual([TARGET_QUALITY]);
    expect(state.counts.sampleEncodes).toBeGreaterThanOrEqual(2); // the decoded size's, then this size's
  });

  it("shrinks after a floor miss by at least 3 %, and gives up at the smallest side", async () => {
    const state = await decoded(await png(noise(400, 300), 400, 300));
    shrinkAfterFloorMiss(state, { quality: 40, size: 200_000 });
    expect(state.size.width).toBeLessThanOrEqual(400 * 0.97);
    expect(state.start).toBe(TARGET_QUALITY);
    state.size = { width: Math.round((MIN_SIDE * 4) / 3), height: MIN_SIDE };
    expect(() => shrinkAfterFloorMiss(state, { quality: 40, size: 200_000 })).toThrow(EngineError);
  });
});
