import { readFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { encodeJpeg } from "../src/encode";
import {
  compress,
  DEFAULT_LIMIT_INPUT_PIXELS,
  DEFAULT_MAX_BYTES,
  EngineError,
  QUALITY_FLOOR,
} from "../src/index";
import { TRELLIS_MIN_QUALITY } from "../src/options";
import { decodeSource } from "../src/prepare";
import { STEP_WINDOW } from "../src/search";
import { CORPUS_DIR, corpusEntries } from "./corpus";

/**
 * The invariants every corpus image must keep, for one half of the corpus (the two halves are two
 * test files, so vitest runs them in its two workers). Each image is compressed once.
 */
export function corpusInvariants(half: 0 | 1) {
  const entries = corpusEntries().filter((_, i) => i % 2 === half);
  const readable = entries.filter((e) => e.format !== "?");
  const unreadable = entries.filter((e) => e.format === "?");

  describe(`compress over the shared corpus (half ${half + 1} of 2)`, () => {
    for (const { file } of readable) {
      it(`${file}: fits the budget, keeps proportions, never upscales, is a valid JPEG, not stuck below the trellis step`, async () => {
        const input = await readFile(path.join(CORPUS_DIR, file));
        const result = await compress(input);
        expect(result.jpeg.length).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);

        const out = await sharp(result.jpeg).metadata();
        expect(out.format).toBe("jpeg");
        expect(out.width).toBe(result.width);
        expect(out.height).toBe(result.height);
        expect(out.orientation ?? 1).toBe(1);
        expect(["srgb", "b-w"]).toContain(out.space);
        // Decodes in full (no truncated output).
        await sharp(result.jpeg).raw().toBuffer();

        const { displayWidth: sw, displayHeight: sh } = result.source;
        expect(result.width).toBeLessThanOrEqual(sw);
        expect(result.height).toBeLessThanOrEqual(sh);
        expect(Math.abs(result.height - (result.width * sh) / sw)).toBeLessThanOrEqual(1);
        expect(Math.abs(result.width - (result.height * sw) / sh)).toBeLessThanOrEqual(1);
        if (!result.passthrough) {
          expect(result.quality).toBeGreaterThanOrEqual(QUALITY_FLOOR);
          expect(result.encodes).toBeGreaterThanOrEqual(1);
          expect(out.isProgressive).toBe(true);
        }
        // Just below the trellis step, the step itself did not fit at that size (search.ts
        // STEP_WINDOW): sizes drop there, so a lower answer would not be the highest that fits. 3 % of
        // slack for the search's margins and the pixels, resized here in one step rather than two.
        const q = result.quality ?? 0;
        if (q < TRELLIS_MIN_QUALITY && q >= TRELLIS_MIN_QUALITY - STEP_WINDOW) {
          const size = { width: result.width, height: result.height };
          const pixels = await decodeSource(input, result.source, size, DEFAULT_LIMIT_INPUT_PIXELS);
          const atStep = await encodeJpeg(pixels, { quality: TRELLIS_MIN_QUALITY, chroma: result.chroma });
          expect(atStep.length).toBeGreaterThan(DEFAULT_MAX_BYTES * 0.97);
        }
      });
    }

    for (const { file, note } of unreadable) {
      it(`${file}: refused with a clear error (${note})`, async () => {
        const input = await readFile(path.join(CORPUS_DIR, file));
        await expect(compress(input)).rejects.toBeInstanceOf(EngineError);
      });
    }
  });
}
