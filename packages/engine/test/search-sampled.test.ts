import { describe, expect, it } from "vitest";
import { slopeAt } from "../src/decide-scale";
import { searchSampled } from "../src/search-sampled";

/**
 * A size curve with one quant-table step: `jump` times the bytes from 89 to 90, 3 % per step
 * elsewhere. The row sample is an eighth of the full image, except that from 90 on the full image
 * grows `drift` more than its sample does (what a large step does: next-step-study.ts).
 */
function curves(jump: number, drift: number) {
  const curve = (q: number) => 100_000 * (q < 90 ? 1.03 ** (q - 80) : 1.03 ** 9 * jump * 1.03 ** (q - 90));
  const full = (q: number) => Math.round(curve(q) * (q >= 90 ? 1 + drift : 1));
  const sample = (q: number) => Math.round(curve(q) / 8);
  const asked: number[] = [];
  return {
    asked,
    encodeFull: async (q: number) => {
      asked.push(q);
      return Buffer.alloc(full(q));
    },
    encodeSample: async (q: number) => Buffer.alloc(sample(q)),
  };
}

describe("searchSampled", () => {
  const common = { floor: 60, ceiling: 95, start: 89, slope: slopeAt, ratio: 8 };
  // 90 predicted 0.8 % under the budget: too close for the first, uncalibrated full encode (aimed
  // 1 % under), so the search verifies 89 first, then decides on 90 from the calibrated sample.
  const budgetFor = (jump: number) => Math.round((100_000 * 1.03 ** 9 * jump) / 0.992);

  it("tries q + 1 in full when a small step puts it under the budget", async () => {
    const c = curves(1.03, 0);
    const r = await searchSampled({ ...common, ...c, maxBytes: budgetFor(1.03) });
    expect(c.asked).toEqual([89, 90]);
    expect(r.best?.quality).toBe(90);
    expect(r.best?.bytes.length).toBeLessThanOrEqual(budgetFor(1.03));
  });

  it("does not when a large step leaves less margin than the step's usual error", async () => {
    // A 25 % step; the full image grows 4 % more than the sample there, as gnome-adwaita's 89 -> 90.
    const c = curves(1.25, 0.04);
    const r = await searchSampled({ ...common, ...c, maxBytes: budgetFor(1.25) });
    expect(c.asked).toEqual([89]);
    expect(r.best?.quality).toBe(89);
    expect(r.verified).toBe(false);
  });

  it("starts the sample at q + 1 while the full encode at q is still running", async () => {
    // 10 % per step: the sample search stops at 80 on the prior slope, without encoding 81.
    const sample = (q: number) => Math.round(1000 * 1.1 ** (q - 80));
    const maxBytes = Math.round((sample(80) * 8) / 0.98);
    const events: string[] = [];
    const r = await searchSampled({
      ...common,
      start: 80,
      maxBytes,
      encodeFull: async (q) => {
        events.push(`full ${q} start`);
        // Resolve on a later turn, so a sample started only after this one would log after "end".
        await new Promise((done) => setTimeout(done, 5));
        events.push(`full ${q} end`);
        return Buffer.alloc(sample(q) * 8);
      },
      encodeSample: async (q) => {
        events.push(`sample ${q}`);
        return Buffer.alloc(sample(q));
      },
    });
    expect(r.best?.quality).toBe(80);
    expect(events).toEqual(["sample 80", "full 80 start", "sample 81", "full 80 end"]);
  });

  describe("when nothing fits under the first aim", () => {
    // 3 % per step; the sample, an eighth, guesses the full size exactly (ratio 8).
    const size = (q: number) => Math.round(100_000 * 1.03 ** (q - 60));
    const run = (maxBytes: number, fullFactor: number) => {
      const asked: number[] = [];
      const result = searchSampled({
        ...common,
        start: 70,
        maxBytes,
        encodeFull: async (q) => {
          asked.push(q);
          return Buffer.alloc(Math.round(size(q) * fullFactor));
        },
        encodeSample: async (q) => Buffer.alloc(Math.round(size(q) / 8)),
      });
      return { asked, result };
    };

    it("encodes the floor in full when it is predicted within the budget itself", async () => {
      // The floor predicted 0.5 % under the budget (over the 1 % aim); the full image is 5 % smaller
      // than the guess, so the floor fits and so does the next step.
      const { asked, result } = run(Math.round(size(60) / 0.995), 0.95);
      const r = await result;
      expect(asked[0]).toBe(60);
      expect(r.best?.quality).toBeGreaterThanOrEqual(61);
      expect(r.best?.bytes.length).toBeLessThanOrEqual(Math.round(size(60) / 0.995));
    });

    it("gives up without a full encode when the floor is predicted over the budget", async () => {
      const { asked, result } = run(Math.round(size(60) * 0.995), 0.95);
      const r = await result;
      expect(asked).toEqual([]);
      expect(r.best).toBeUndefined();
    });

    it("gives up after that one full encode when the floor does not fit after all", async () => {
      const { asked, result } = run(Math.round(size(60) / 0.995), 1.02);
      const r = await result;
      expect(asked).toEqual([60]);
      expect(r.best).toBeUndefined();
      // The shrink that follows starts from the measured floor, not the sample's guess.
      expect(r.lowest).toEqual({ quality: 60, size: Math.round(size(60) * 1.02) });
    });
  });

  describe("at a step down of the size curve (trellis from 75)", () => {
    // 3.5 % per step, 12 % less from 75 on; the sample is an eighth of the full image.
    const full = (q: number) => Math.round(100_000 * Math.exp(0.035 * (q - 74)) * (q >= 75 ? 0.88 : 1));
    const run = (ratio: number, stepDown?: number) => {
      const asked: number[] = [];
      const maxBytes = Math.round(full(76) * 1.003);
      const result = searchSampled({
        ...common,
        floor: 40,
        start: 65,
        ratio,
        maxBytes,
        stepDown,
        encodeFull: async (q) => {
          asked.push(q);
          return Buffer.alloc(full(q));
        },
        encodeSample: async (q) => Buffer.alloc(Math.round(full(q) / 8)),
      });
      return { asked, result, maxBytes };
    };

    it("searches above the step once the first full encode has corrected the factor", async () => {
      // The guess puts the full image 4 % over: the sample search stops at 71, below the step. The
      // full encode at 71 corrects the factor; 72 is still over, but the step fits, and 76 does.
      const { asked, result, maxBytes } = run(8 * 1.04, 75);
      const r = await result;
      expect(asked).toEqual([71, 76]);
      expect(r.best?.quality).toBe(76);
      expect(r.best?.bytes.length).toBeLessThanOrEqual(maxBytes);
    });

    it("stays below the step without it", async () => {
      const r = await run(8 * 1.04).result;
      expect(r.best?.quality).toBeLessThan(75);
    });
  });
});
