import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { encodeJpeg } from "../src/encode";
import { compress } from "../src/index";
import { QUALITY_CEILING, SPARE_QUALITY } from "../src/options";
import type { Prepared } from "../src/prepare";
import { sampleRows } from "../src/sample";
import { type SpareCandidate, screenVerdict, spareCandidates, spendSpareBytes } from "../src/spare";
import { CORPUS_DIR } from "./corpus";

const corpus = (file: string) => readFile(path.join(CORPUS_DIR, file));
const pixels = (channels: 1 | 3, width = 64, height = 48): Prepared => {
  const data = Buffer.alloc(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 7) * 11) % 256;
  return { data, width, height, channels };
};

describe("spare bytes", () => {
  it("tries full chroma above the ceiling, then at it; grey has no chroma to add", () => {
    expect(spareCandidates(pixels(3), 95, 98)).toEqual([
      { quality: 98, chroma: "4:4:4" },
      { quality: 95, chroma: "4:4:4" },
    ]);
    expect(spareCandidates(pixels(1), 95, 98)).toEqual([{ quality: 98, chroma: "4:4:4" }]);
    // A caller's quality is a hard ceiling: nothing above it.
    expect(spareCandidates(pixels(3), 80, 80)).toEqual([{ quality: 80, chroma: "4:4:4" }]);
  });

  it("makes a real encode only for a candidate whose upper bound fits", async () => {
    const sizes: Record<string, number> = { "98/true": 900, "95/true": 700, "95/false": 650 };
    const asked: string[] = [];
    const encode = async (c: SpareCandidate, upperBound: boolean) => {
      asked.push(`${c.quality}/${upperBound}`);
      return Buffer.alloc(sizes[`${c.quality}/${upperBound}`] ?? 0);
    };
    const r = await spendSpareBytes(spareCandidates(pixels(3), 95, 98), 800, encode);
    expect(asked).toEqual(["98/true", "95/true", "95/false"]);
    expect(r.best?.quality).toBe(95);
    expect(r.best?.bytes.length).toBe(650);
    expect([r.encodes, r.boundEncodes]).toEqual([1, 2]);
    const none = await spendSpareBytes(spareCandidates(pixels(3), 95, 98), 600, encode);
    expect(none.best).toBeUndefined();
    expect(none.encodes).toBe(0);
  });

  it("a candidate the screen turns down costs no full-size encode at all", async () => {
    const asked: string[] = [];
    const encode = async (c: SpareCandidate, upperBound: boolean) => {
      asked.push(`${c.quality}/${upperBound}`);
      return Buffer.alloc(upperBound ? 700 : 650);
    };
    const screen = async (c: SpareCandidate): Promise<"near" | "over"> =>
      c.quality !== 98 ? "near" : "over";
    const r = await spendSpareBytes(spareCandidates(pixels(3), 95, 98), 800, encode, screen);
    expect(asked).toEqual(["95/true", "95/false"]);
    expect([r.encodes, r.boundEncodes, r.screenedOut]).toEqual([1, 1, 1]);
    expect(r.best?.quality).toBe(95);
  });

  it("a candidate the screen puts clearly under goes straight to its real encode", async () => {
    const asked: string[] = [];
    const sizes: Record<string, number> = { "98/false": 900, "95/false": 650 };
    const encode = async (c: SpareCandidate, upperBound: boolean) => {
      asked.push(`${c.quality}/${upperBound}`);
      return Buffer.alloc(sizes[`${c.quality}/${upperBound}`] ?? 0);
    };
    // The screen was wrong about 98 (its real encode is over): the next candidate still gets its turn.
    const screen = async () => "under" as const;
    const r = await spendSpareBytes(spareCandidates(pixels(3), 95, 98), 800, encode, screen);
    expect(asked).toEqual(["98/false", "95/false"]);
    expect([r.encodes, r.boundEncodes]).toEqual([2, 0]);
    expect(r.best?.quality).toBe(95);
    expect(r.best?.bytes.length).toBeLessThanOrEqual(800);
    expect([screenVerdict(700, 1000), screenVerdict(900, 1000), screenVerdict(1100, 1000)]).toEqual([
      "under",
      "near",
      "over",
    ]);
  });

  it("with a row sample, an image that misses the ceiling makes no upper-bound encodes", async () => {
    // Predicted to fit at 95 from the q65 sample encode; the sample at 95 says no (it fits at ~91).
    for (const file of ["cmyk-storm.jpg", "mate-storm.jpg"]) {
      const r = await compress(await corpus(file));
      expect(r.quality).toBeLessThan(QUALITY_CEILING);
      expect(r.boundEncodes).toBe(0);
      expect(r.encodes).toBe(1);
    }
    // One that does fit at the ceiling still gets its spare bytes spent.
    const gulp = await compress(await corpus("mate-gulp.png"));
    expect(gulp.chroma).toBe("4:4:4");
    expect(gulp.quality).toBeGreaterThanOrEqual(QUALITY_CEILING);
  });

  it("the upper-bound encode is never smaller than the real one", async () => {
    const img = await corpus("skimage-coffee.png");
    const sharp = (await import("sharp")).default;
    const { data, info } = await sharp(img).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const p: Prepared = { data, width: info.width, height: info.height, channels: 3 };
    for (const quality of [60, 80, 95, 98]) {
      for (const chroma of ["4:2:0", "4:4:4"] as const) {
        const real = await encodeJpeg(p, { quality, chroma });
        const bound = await encodeJpeg(p, { quality, chroma, upperBound: true });
        expect(bound.length).toBeGreaterThanOrEqual(real.length);
      }
    }
  });

  it("a small image with plenty of budget gets one encode above the ceiling", async () => {
    const r = await compress(await corpus("skimage-camera-gray.png"));
    expect(r.quality).toBe(SPARE_QUALITY);
    expect(r.encodes).toBe(1);
    const colour = await compress(await corpus("skimage-coffee.png"));
    expect(colour.chroma).toBe("4:4:4");
    expect(colour.encodes).toBe(1);
    expect(colour.quality).toBeGreaterThanOrEqual(QUALITY_CEILING);
    // With the caller's quality, never above it.
    const capped = await compress(await corpus("skimage-camera-gray.png"), { quality: 90 });
    expect(capped.quality).toBeLessThanOrEqual(90);
  });
});

describe("sampleRows", () => {
  it("keeps at least 12 bands of 16 rows, and about an eighth of a tall image", () => {
    const short = sampleRows(pixels(3, 1000, 800)) as Prepared;
    expect(short.height / 16).toBeGreaterThanOrEqual(12);
    const tall = sampleRows(pixels(3, 1000, 2560)) as Prepared;
    expect(tall.height).toBe(2560 / 8);
    expect(sampleRows(pixels(3, 400, 400))).toBeUndefined();
  });

  it("measure-only sample encodes track the real ones by a near-constant factor", async () => {
    const sharp = (await import("sharp")).default;
    const img = await corpus("mate-raindrops.jpg");
    const { data, info } = await sharp(img).raw().toBuffer({ resolveWithObject: true });
    const sample = sampleRows({ data, width: info.width, height: info.height, channels: 3 }) as Prepared;
    const ratio = async (quality: number) => {
      const real = await encodeJpeg(sample, { quality, chroma: "4:2:0" });
      const measured = await encodeJpeg(sample, { quality, chroma: "4:2:0", measureOnly: true });
      return measured.length / real.length;
    };
    // Scan optimisation only removes bytes: measure-only is a little larger, never smaller...
    const [at70, at84, at85] = [await ratio(70), await ratio(84), await ratio(85)];
    for (const r of [at70, at84, at85]) {
      expect(r).toBeGreaterThan(1);
      expect(r).toBeLessThan(1.08);
    }
    // ...by nearly the same factor at neighbouring qualities, which the calibration relies on.
    expect(Math.abs(at85 / at84 - 1)).toBeLessThan(0.01);
  });
});
