import { throwIfAborted } from "./abort";
import type { Chroma } from "./encode";
import { encodeJpeg } from "./encode";
import { type Size, scaleSize } from "./geometry";
import { type Prepared, resizePixels } from "./prepare";

/**
 * Lower quality or downscale? Measured on the corpus (docs/decisions/0005-scale-rule.md): SSIM at the original resolution keeps rising as the size grows,
 * down to qualities around 20-50 (a smaller image loses detail that no quality buys back), so the
 * rule is "the largest size that fits at QUALITY_FLOOR or above" (options.ts says why 40). The plan
 * aims TARGET_QUALITY a few points above the floor, so a size model that errs by ~15 % still lands
 * the search inside [floor, ceiling].
 */
export const TARGET_QUALITY = 65;
/**
 * When the search finds that even the floor does not fit (the scale check predicted it would, so it
 * nearly does), shrink to where floor + this fits, not to TARGET_QUALITY: the rule is the largest
 * size that fits at the floor, the bytes measured near the floor extrapolate only a few steps, and 10
 * steps leave room for the size model's error: a large PNG that misses the floor at its decoded size
 * keeps ~2720 px at q54-55 instead of ~2295 px at q68-69 (docs/decisions/0014-near-the-floor.md).
 */
export const FLOOR_MISS_HEADROOM = 10;
/** Bytes at a fixed quality grow as pixels^BETA (corpus median 0.87 at q70-85, from the preview). */
export const BETA = 0.87;
/**
 * d ln(bytes) / d quality: a prior for the search until it has its own secant. Corpus medians:
 * 0.035 between 70 and 85 (p10 0.028, p90 0.044), 0.065 above 85; 0.02 below 55, a range the floor
 * check and the search reach with the floor at 40 (the full-size curves of the hardest photos,
 * research/src/scale-study.ts: 0.016-0.029 between 31 and 50).
 */
export function slopeAt(quality: number): number {
  return quality < 55 ? 0.02 : quality < 70 ? 0.03 : quality < 85 ? 0.035 : 0.065;
}
/** The preview's size in pixels: big enough to show texture, cheap to resize and encode. */
export const PREVIEW_PIXELS = 262_144;
/** The least bits per pixel any photo needed at TARGET_QUALITY: bounds the pixels worth decoding. */
export const MIN_BITS_PER_PIXEL = 0.25;

export interface ScalePlan {
  size: Size;
  /** The quality the model expects to fit at that size: where the search starts. */
  startQuality: number;
  previewEncodes: number;
}

/** The most pixels any output within this budget could use: decode no more than that. */
export function maxUsefulPixels(maxBytes: number): number {
  return Math.round((maxBytes * 8) / MIN_BITS_PER_PIXEL);
}

/**
 * Encode a small preview at TARGET_QUALITY and extrapolate with bytes ~ pixels^BETA: the largest
 * size predicted to fit at TARGET_QUALITY (or the full size, with the quality it leaves room for).
 */
export async function planScale(
  pixels: Prepared,
  chroma: Chroma,
  maxBytes: number,
  ceiling: number,
  signal?: AbortSignal,
): Promise<ScalePlan> {
  const full = { width: pixels.width, height: pixels.height };
  const n = pixels.width * pixels.height;
  if (n <= PREVIEW_PIXELS * 2) {
    // Small enough that the first real encode is as cheap as a preview: start at the ceiling.
    return { size: full, startQuality: ceiling, previewEncodes: 0 };
  }
  throwIfAborted(signal);
  const pvScale = Math.sqrt(PREVIEW_PIXELS / n);
  const preview = await resizePixels(pixels, scaleSize(full, pvScale));
  const quality = Math.min(TARGET_QUALITY, ceiling);
  throwIfAborted(signal);
  const pvBytes = (await encodeJpeg(preview, { quality, chroma })).length;
  const pvPixels = preview.width * preview.height;
  const targetPixels = pvPixels * (maxBytes / pvBytes) ** (1 / BETA);
  if (targetPixels >= n) {
    const predicted = pvBytes * (n / pvPixels) ** BETA;
    const start = quality + Math.log(maxBytes / predicted) / slopeAt(quality);
    return { size: full, startQuality: Math.min(ceiling, Math.floor(start)), previewEncodes: 1 };
  }
  return { size: scaleSize(full, Math.sqrt(targetPixels / n)), startQuality: quality, previewEncodes: 1 };
}
