import { describe, expect, it } from "vitest";
import { lumaOf, ssim } from "../src/metrics/ssim";
import { searchQuality } from "../src/search";

/** A fake encoder whose size follows `sizeAt`, recording the qualities asked. */
function fakeEncoder(sizeAt: (q: number) => number) {
  const asked: number[] = [];
  const encode = async (q: number) => {
    asked.push(q);
    return Buffer.alloc(Math.round(sizeAt(q)));
  };
  return { asked, encode };
}
const smooth = (q: number) => 20_000 * Math.exp(0.04 * q);

describe("searchQuality", () => {
  it("finds the highest fitting quality of a monotone curve in few encodes", async () => {
    for (const maxBytes of [300_000, 500_000, 700_000]) {
      const { asked, encode } = fakeEncoder(smooth);
      const r = await searchQuality({
        encode,
        floor: 40,
        ceiling: 92,
        maxBytes,
        start: 70,
        slope: () => 0.035,
      });
      const truth = Math.floor(Math.log(maxBytes / 20_000) / 0.04);
      expect(r.best?.quality).toBe(truth);
      expect(r.best?.bytes.length).toBeLessThanOrEqual(maxBytes);
      expect(asked.length).toBeLessThanOrEqual(4);
    }
  });

  it("only ever returns a verified encode, even where size is not monotone", async () => {
    // Bumpy: every third quality is 6 % larger than its neighbours.
    const bumpy = (q: number) => smooth(q) * (q % 3 === 0 ? 1.06 : 1);
    const { encode } = fakeEncoder(bumpy);
    const r = await searchQuality({
      encode,
      floor: 40,
      ceiling: 92,
      maxBytes: 500_000,
      start: 60,
      slope: () => 0.05,
    });
    expect(r.best).toBeDefined();
    expect(r.best?.bytes.length).toBeLessThanOrEqual(500_000);
    expect(bumpy(r.best?.quality as number)).toBeLessThanOrEqual(500_000);
  });

  it("returns no result when even the floor is over budget", async () => {
    const { encode } = fakeEncoder(smooth);
    const r = await searchQuality({
      encode,
      floor: 75,
      ceiling: 92,
      maxBytes: 10_000,
      start: 80,
      slope: () => 0.035,
    });
    expect(r.best).toBeUndefined();
  });

  // Where trellis starts (75), sizes drop to what 3-4 qualities lower cost without it.
  const stepped = (q: number) => 20_000 * Math.exp(0.035 * q) * (q >= 75 ? 0.88 : 1);
  const stepSearch = (maxBytes: number, stepDown?: number) => {
    const enc = fakeEncoder(stepped);
    const search = searchQuality({
      ...enc,
      floor: 40,
      ceiling: 95,
      maxBytes,
      start: 65,
      stepDown,
      slope: () => 0.035,
    });
    return { asked: enc.asked, search };
  };

  it("looks above a step down in the size curve when the answer is just below it", async () => {
    // 74 is over the budget, 75-77 fit, 78 does not.
    const maxBytes = Math.round(stepped(77) * 1.01);
    expect(stepped(74)).toBeGreaterThan(maxBytes);
    const { search } = stepSearch(maxBytes, 75);
    const r = await search;
    expect(r.best?.quality).toBe(77);
    expect(r.best?.bytes.length).toBeLessThanOrEqual(maxBytes);
    // Without the step the search stops below it.
    expect((await stepSearch(maxBytes).search).best?.quality).toBeLessThan(75);
  });

  it("keeps the answer below the step, at one more encode, when the step does not fit", async () => {
    const maxBytes = Math.round(stepped(70) * 1.01); // 71 is over, and so is 75
    expect(stepped(75)).toBeGreaterThan(maxBytes);
    const without = stepSearch(maxBytes);
    const plain = await without.search;
    const { asked, search } = stepSearch(maxBytes, 75);
    const r = await search;
    expect(r.best?.quality).toBe(70);
    expect(r.verified).toBe(plain.verified);
    expect([...asked].sort()).toEqual([...without.asked, 75].sort());
  });

  it("tries the step before the qualities just below it, which it makes useless when it fits", async () => {
    // Answers at 76-77, and a start whose first guess lands just below the step.
    for (const top of [76, 77]) {
      const maxBytes = Math.round(stepped(top) * 1.005);
      const { asked, search } = stepSearch(maxBytes, 75);
      expect((await search).best?.quality).toBe(top);
      expect(asked.filter((q) => q >= 70 && q < 75)).toEqual([]);
    }
  });

  it("finds the highest quality that fits on a stepped curve, never encoding a quality twice", async () => {
    for (let target = 55; target <= 90; target++) {
      const maxBytes = Math.round(stepped(target) * 1.003);
      let truth = 40;
      for (let q = 40; q <= 95; q++) if (stepped(q) <= maxBytes) truth = q;
      const { asked, search } = stepSearch(maxBytes, 75);
      const r = await search;
      // Below the step's window the search may stop at a fitting quality with a higher one beyond
      // the drop; inside it and above, the answer is the true highest.
      if (truth >= 70) expect(r.best?.quality, `target ${target}`).toBe(truth);
      expect(r.best?.bytes.length).toBeLessThanOrEqual(maxBytes);
      expect(new Set(asked).size, `target ${target}: ${asked}`).toBe(asked.length);
    }
  });

  it("does not try the step from an answer far below it", async () => {
    const maxBytes = Math.round(stepped(60) * 1.01);
    const { asked, search } = stepSearch(maxBytes, 75);
    expect((await search).best?.quality).toBe(60);
    expect(asked).not.toContain(75);
  });

  it("stops at the ceiling when everything fits", async () => {
    const { asked, encode } = fakeEncoder(() => 1000);
    const r = await searchQuality({
      encode,
      floor: 75,
      ceiling: 92,
      maxBytes: 10_000,
      start: 92,
      slope: () => 0.035,
    });
    expect(r.best?.quality).toBe(92);
    expect(asked).toEqual([92]);
  });
});

describe("ssim", () => {
  const plane = (f: (x: number, y: number) => number, w = 64, h = 48) => {
    const d = new Uint8Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) d[y * w + x] = Math.max(0, Math.min(255, f(x, y)));
    return { data: d, width: w, height: h };
  };
  it("is 1 for identical images and falls as distortion grows", () => {
    const a = plane((x, y) => (x * 7 + y * 13) % 256);
    expect(ssim(a, a)).toBeCloseTo(1, 10);
    const slight = plane((x, y) => ((x * 7 + y * 13) % 256) + ((x + y) % 3) - 1);
    const strong = plane((x, y) => ((x * 7 + y * 13) % 256) + ((x * y) % 81) - 40);
    expect(ssim(a, slight)).toBeGreaterThan(0.99);
    expect(ssim(a, slight)).toBeGreaterThan(ssim(a, strong));
    expect(ssim(a, strong)).toBeLessThan(0.95);
  });
  it("computes BT.601 luma", () => {
    const p = lumaOf(Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]), 4, 1, 3);
    expect([...p.data]).toEqual([76, 150, 29, 255]);
  });
});
