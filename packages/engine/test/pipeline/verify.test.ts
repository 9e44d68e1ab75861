import { describe, expect, it } from "vitest";
import { resolveOptions } from "../../src/options";
import type { Answer } from "../../src/pipeline/state";
import { OutputCheckError, verify, violations } from "../../src/pipeline/verify";
import { noise, png, probed } from "./images";

const answer = (over: Partial<Answer> = {}): Answer => ({
  jpeg: Buffer.alloc(1000),
  width: 300,
  height: 200,
  quality: 80,
  chroma: "4:2:0",
  verified: true,
  passthrough: false,
  ...over,
});

describe("step 5: verify at the exit", () => {
  const display = { width: 600, height: 400 };
  const opts = resolveOptions({ maxBytes: 2000, maxWidth: 500, maxOutputPixels: 100_000 });

  it("finds nothing wrong with an answer that keeps every promise", () => {
    expect(violations(answer(), display, opts)).toEqual([]);
    expect(violations(answer({ width: 301, height: 200 }), display, opts)).toEqual([]); // within 1 px
  });

  it("names every broken promise", () => {
    expect(violations(answer({ jpeg: Buffer.alloc(2001) }), display, opts)).toEqual([
      "2001 bytes, over 2000",
    ]);
    expect(violations(answer({ width: 400, height: 267 }), display, opts)[0]).toMatch(/over 100000 pixels/);
    expect(violations(answer({ width: 300, height: 150 }), display, opts)[0]).toMatch(/off the proportions/);
    const big = violations(answer({ width: 900, height: 600 }), display, resolveOptions({}));
    expect(big[0]).toMatch(/upscales/);
    expect(
      violations(answer({ width: 510, height: 340 }), display, resolveOptions({ maxWidth: 500 })),
    ).toEqual(["510x340 is outside the box 500x-"]);
    const portrait = { width: 400, height: 600 };
    expect(violations(answer({ width: 200, height: 300 }), portrait, opts)).toEqual([]);
    expect(violations(answer({ width: 150, height: 300 }), portrait, opts)[0]).toMatch(/proportions/);
  });

  it("throws rather than return an answer over the budget, and reports the counts otherwise", async () => {
    const state = await probed(await png(noise(600, 400), 600, 400), { maxBytes: 2000 });
    expect(() => verify(state, answer({ jpeg: Buffer.alloc(2001) }))).toThrow(OutputCheckError);
    state.counts.encodes = 3;
    const r = verify(state, answer());
    expect(r).toMatchObject({
      width: 300,
      height: 200,
      quality: 80,
      encodes: 3,
      scale: 0.5,
      searchVerified: true,
    });
    expect(r.timings.totalMs).toBeGreaterThanOrEqual(r.timings.probeMs);
  });
});
