import { readFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { compress, DEFAULT_MAX_BYTES, EngineError } from "../src/index";
import { CORPUS_DIR, corpusFiles } from "./corpus";

// Files the corpus marks as not decodable: they must be refused with a clear error, not compressed.
const REFUSED = new Set(["bad-truncated.jpg"]);

describe("compress over the shared corpus", () => {
  for (const file of corpusFiles().filter((f) => !REFUSED.has(f))) {
    it(`${file}: fits the budget, keeps proportions, never upscales`, async () => {
      const input = await readFile(path.join(CORPUS_DIR, file));
      const result = await compress(input);
      expect(result.jpeg.length).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);

      const out = await sharp(result.jpeg).metadata();
      expect(out.format).toBe("jpeg");
      expect(out.width).toBe(result.width);
      expect(out.height).toBe(result.height);

      const { displayWidth: sw, displayHeight: sh } = result.source;
      expect(result.width).toBeLessThanOrEqual(sw);
      expect(result.height).toBeLessThanOrEqual(sh);
      // Each side within 1 px of the exact proportion.
      expect(Math.abs(result.height - (result.width * sh) / sw)).toBeLessThanOrEqual(1);
      expect(Math.abs(result.width - (result.height * sw) / sh)).toBeLessThanOrEqual(1);
    });
  }

  it("refuses a truncated JPEG with a clear error", async () => {
    const input = await readFile(path.join(CORPUS_DIR, "bad-truncated.jpg"));
    await expect(compress(input)).rejects.toBeInstanceOf(EngineError);
  });
});
