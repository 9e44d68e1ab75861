import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FLOOR_MISS_HEADROOM, TARGET_QUALITY } from "../src/decide-scale";
import { compress, QUALITY_FLOOR } from "../src/index";
import { checkScale, GROW_BELOW } from "../src/scale-check";
import { CORPUS_DIR } from "./corpus";

const budget = 100_000;
describe("checkScale", () => {
  it("keeps the decoded size while the floor is predicted to fit, even below the target quality", () => {
    const r = checkScale(budget * 1.1, budget, 60, 95, true, true);
    expect(r.keep).toBe(true);
    if (r.keep) {
      expect(r.start).toBeLessThan(TARGET_QUALITY);
      expect(r.start).toBeGreaterThanOrEqual(60);
    }
  });

  it("shrinks the decoded size to where the target quality fits when the floor does not", () => {
    const r = checkScale(budget * 3, budget, 60, 95, true, true);
    expect(r.keep).toBe(false);
    if (!r.keep) expect(r.fraction).toBeLessThan(1 / 3 ** (1 / 0.87) + 0.01);
  });

  it("grows a downscaled size back once when the target quality fits with room to spare", () => {
    const under = budget * GROW_BELOW * 0.9;
    const grow = checkScale(under, budget, 60, 95, false, true);
    expect(grow.keep).toBe(false);
    if (!grow.keep) expect(grow.fraction).toBeGreaterThan(1);
    expect(checkScale(under, budget, 60, 95, false, false).keep).toBe(true);
    expect(checkScale(budget * 0.97, budget, 60, 95, false, true).keep).toBe(true);
  });
});

describe("lower quality or downscale, on real photos", () => {
  // Both measured in bench/studies/scale-study.ts: the full size scores better than any downscale on
  // SSIM at the original resolution, butteraugli and SSIMULACRA down to q14; options.ts says why 40.
  it("keeps the full size of a photo that fits between the floor and 60 (plasma-autumn: q43)", async () => {
    const input = await readFile(path.join(CORPUS_DIR, "plasma-autumn.jpg"));
    const r = await compress(input);
    expect([r.width, r.height]).toEqual([2560, 1600]);
    expect(r.quality).toBeGreaterThanOrEqual(QUALITY_FLOOR);
    expect(r.quality).toBeLessThan(60);
  });

  it("downscales a photo whose full size would need a quality below the floor (plasma-path: q18)", async () => {
    const input = await readFile(path.join(CORPUS_DIR, "plasma-path.jpg"));
    const r = await compress(input);
    expect(r.width).toBeLessThan(2560);
    expect(r.quality).toBeGreaterThanOrEqual(QUALITY_FLOOR);
  });

  it("keeps the decoded size when the floor fits the budget, if not the first encode's aim (plasma-patak-5120)", async () => {
    // Decoded at the 5.9 MP cap (3238x1821); the sample puts the floor 0.6 % under the budget.
    const input = await readFile(path.join(CORPUS_DIR, "plasma-patak-5120.png"));
    const r = await compress(input);
    expect(r.jpeg.length).toBeLessThanOrEqual(184_320);
    expect([r.width, r.height]).toEqual([3238, 1821]);
    expect(r.quality).toBeGreaterThanOrEqual(QUALITY_FLOOR);
  });

  it("after a floor miss, shrinks only to where a quality just above the floor fits", async () => {
    // At 178,000 bytes plasma-patak-5120's floor is predicted to fit at 3238 px by the scale check
    // and found not to by the search: the largest size that fits near the floor is close by, not
    // where TARGET_QUALITY fits (2299 px, q69).
    const input = await readFile(path.join(CORPUS_DIR, "plasma-patak-5120.png"));
    const r = await compress(input, { maxBytes: 178_000 });
    expect(r.jpeg.length).toBeLessThanOrEqual(178_000);
    expect(r.width).toBeLessThan(3238);
    expect(r.quality).toBeGreaterThanOrEqual(QUALITY_FLOOR);
    expect(r.quality).toBeLessThanOrEqual(QUALITY_FLOOR + FLOOR_MISS_HEADROOM + 5);
    expect(r.quality).toBeLessThan(TARGET_QUALITY);
  });
});
