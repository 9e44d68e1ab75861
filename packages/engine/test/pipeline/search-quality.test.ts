import { describe, expect, it } from "vitest";
import type { EngineError } from "../../src/errors";
import { planFirstSize, sizeAttempt } from "../../src/pipeline/decide-scale";
import { searchQualityStep } from "../../src/pipeline/search-quality";
import { decoded, noise, png } from "./images";

describe("step 3: search the quality", () => {
  it("finds the highest quality that fits with full encodes on a small image", async () => {
    const state = await decoded(await png(noise(320, 240), 320, 240), { maxBytes: 40_000 });
    await planFirstSize(state);
    const attempt = await sizeAttempt(state);
    const r = await searchQualityStep(state, attempt);
    expect(r.best?.bytes.length).toBeLessThanOrEqual(40_000);
    expect(r.tried.some((t) => t.quality === (r.best?.quality ?? 0) + 1 && t.size > 40_000)).toBe(r.verified);
    expect(state.counts.encodes).toBe(r.tried.length);
    expect(state.counts.sampleEncodes).toBe(0);
  });

  it("searches a large image on its row sample and verifies in full", async () => {
    const state = await decoded(await png(noise(2400, 1800), 2400, 1800), { maxBytes: 600_000 });
    await planFirstSize(state);
    const attempt = await sizeAttempt(state);
    const r = await searchQualityStep(state, attempt);
    expect(r.best?.bytes.length).toBeLessThanOrEqual(600_000);
    expect(r.sampleEncodes).toBeGreaterThan(0);
    expect(r.encodes).toBe(r.tried.length);
    expect(state.counts.encodes).toBe(r.encodes);
  });

  it("reports the lowest quality measured when even the floor misses at this size", async () => {
    const state = await decoded(await png(noise(2400, 1800), 2400, 1800), { maxBytes: 400_000 });
    await planFirstSize(state);
    const attempt = await sizeAttempt(state);
    const r = await searchQualityStep(state, attempt);
    expect(r.best).toBeUndefined();
    expect(r.lowest.quality).toBe(state.opts.qualityFloor);
    expect(r.lowest.size).toBeGreaterThan(400_000);
  });

  it("stops with EngineError aborted once the caller's signal has fired", async () => {
    const controller = new AbortController();
    const state = await decoded(await png(noise(320, 240), 320, 240), {
      maxBytes: 40_000,
      signal: controller.signal,
    });
    await planFirstSize(state);
    const attempt = await sizeAttempt(state);
    controller.abort();
    const err = await searchQualityStep(state, attempt).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe("aborted");
    expect(state.counts.encodes).toBe(0);
  });
});
