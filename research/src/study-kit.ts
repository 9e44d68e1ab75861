/**
 * What several studies share: the corpus's image files, a source as displayed at a given long side,
 * and the highest quality whose encode fits a budget.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import sharp, { type OutputInfo } from "sharp";

export const CORPUS = path.resolve(import.meta.dirname, "../../../shared/corpus/public");

/** The command-line options every corpus-at-a-size study takes (node:util parseArgs). */
export const STUDY_OPTIONS = {
  dir: { type: "string" },
  long: { type: "string" },
  "max-bytes": { type: "string" },
} as const;

/** Image files in `dir`, sorted; with `only`, those whose name contains one of its strings. */
export function imageFiles(dir: string, only?: string | string[]): string[] {
  const wanted = only === undefined ? undefined : [only].flat();
  return readdirSync(dir)
    .filter((f) => /\.(jpe?g|png|webp|gif)$/i.test(f))
    .filter((f) => !wanted || wanted.some((o) => f.includes(o)))
    .sort();
}

/**
 * The source as displayed (oriented, flattened on white, sRGB), its long side reduced to `long` with
 * lanczos3 (never enlarged). Undefined for a file sharp cannot read or an image under 64 px.
 */
export async function displayedAt(
  file: string,
  long: number,
): Promise<{ data: Buffer; info: OutputInfo } | undefined> {
  try {
    const raw = await sharp(readFileSync(file), { pages: 1 })
      .rotate()
      .resize(long, long, { fit: "inside", withoutEnlargement: true, kernel: "lanczos3" })
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    return raw.info.width < 64 || raw.info.height < 64 ? undefined : raw;
  } catch {
    return undefined;
  }
}

/** The highest quality in [lo, hi] whose encode fits `budget`, by bisection (size is nearly monotone in quality). */
export async function highestFitting(
  encode: (quality: number) => Promise<Buffer>,
  budget: number,
  lo = 10,
  hi = 100,
): Promise<{ quality: number; jpeg: Buffer } | undefined> {
  let below = lo - 1;
  let above = hi + 1;
  let best: { quality: number; jpeg: Buffer } | undefined;
  while (above - below > 1) {
    const mid = (below + above) >> 1;
    const jpeg = await encode(mid);
    if (jpeg.length <= budget) {
      below = mid;
      best = { quality: mid, jpeg };
    } else above = mid;
  }
  return best;
}
