import { readFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { compress, DEFAULT_MAX_BYTES, EngineError } from "../src/index";
import { CORPUS_DIR, corpusEntries } from "./corpus";

const entries = corpusEntries();
// The manifest marks files no decoder reads with format "?": they must be refused, not compressed.
const readable = entries.filter((e) => e.format !== "?");
const unreadable = entries.filter((e) => e.format === "?");

describe("compress over the shared corpus", () => {
  for (const { file } of readable) {
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

  for (const { file, note } of unreadable) {
    it(`${file}: refused with a clear error (${note})`, async () => {
      const input = await readFile(path.join(CORPUS_DIR, file));
      await expect(compress(input)).rejects.toBeInstanceOf(EngineError);
    });
  }
});
