import { describe, expect, it } from "vitest";
import { QUALITY_CEILING } from "../../src/options";
import { planFirstSize, sizeAttempt } from "../../src/pipeline/decide-scale";
import { spareAfterSearch, spareAtCeiling } from "../../src/pipeline/spend-spare";
import { decoded, gradient, noise, png } from "./images";

describe("step 4: spend spare bytes", () => {
  it("spends an easy image's spare bytes above the ceiling or on full chroma, within the budget", async () => {
    const state = await decoded(await png(gradient(320, 240), 320, 240));
    await planFirstSize(state);
    const attempt = await sizeAttempt(state);
    const { tried, answer } = await spareAtCeiling(state, attempt);
    expect(tried).toBe(true);
    expect(answer?.jpeg.length).toBeLessThanOrEqual(184_320);
    expect(answer?.quality !== QUALITY_CEILING || answer?.chroma === "4:4:4").toBe(true);
    expect(answer?.chroma).toBe(state.chroma);
    expect(state.counts.encodes).toBeGreaterThanOrEqual(1);
  });

  it("does not try where the ceiling is not predicted to fit", async () => {
    const state = await decoded(await png(noise(320, 240), 320, 240), { maxBytes: 40_000 });
    await planFirstSize(state);
    state.start = 60;
    const attempt = await sizeAttempt(state);
    expect(await spareAtCeiling(state, attempt)).toEqual({ tried: false });
    expect(state.counts.encodes).toBe(0);
    const below = { quality: 80, bytes: Buffer.alloc(10) };
    expect(await spareAfterSearch(state, attempt, below)).toBeUndefined();
    expect(state.counts.encodes).toBe(0);
  });
});
