/** What a caller may ask of the engine. Every field has a safe default. */
export interface CompressOptions {
  /** Hard ceiling on the output size in bytes. */
  maxBytes?: number;
  /** Fit within this box (keeping proportions); never upscales. */
  maxWidth?: number;
  maxHeight?: number;
  /** A fixed JPEG quality ceiling (1–100), as the legacy API allows; the budget still wins. */
  quality?: number;
  /** Refuse sources with more pixels than this (decompression bombs). */
  limitInputPixels?: number;
  /** Output width x height never exceeds this (a source with more is downscaled, even when it fits). */
  maxOutputPixels?: number;
  /** Stops the work between steps (at most one more encode) with EngineError `aborted`. */
  signal?: AbortSignal;
}

export interface ResolvedOptions {
  maxBytes: number;
  maxWidth: number | undefined;
  maxHeight: number | undefined;
  qualityCeiling: number;
  qualityFloor: number;
  /** The quality an image with bytes to spare may reach (spare.ts): the caller's quality when given. */
  spareCeiling: number;
  limitInputPixels: number;
  maxOutputPixels: number;
  signal: AbortSignal | undefined;
}

export const DEFAULT_MAX_BYTES = 184_320;
export const DEFAULT_LIMIT_INPUT_PIXELS = 50_000_000;
/**
 * 4096 x 4096: a full-width picture on a 2x (retina) screen of a 2048 CSS px wide page, whatever its
 * proportions, and a reader's decode of at most 48 MB of RGB. More pixels show nothing on a news page.
 */
export const DEFAULT_MAX_OUTPUT_PIXELS = 4096 * 4096;
/** The naive algorithm's start; images with room to spare get it (SSIM still rises up to 95). */
export const QUALITY_CEILING = 95;
/**
 * Where bytes are spare (the image fits at QUALITY_CEILING with room left), go up to this: mozjpeg at
 * 95 keeps less than libjpeg at 95 (trellis, its own tables), and a small image that fits at 100
 * scores higher there (a 512 px portrait: SSIM 0.9887 at 95, 0.9994 at 100 in 4:2:0;
 * docs/decisions/0011-spare-bytes.md). The budget, not a quality, is the cap.
 */
export const SPARE_QUALITY = 100;
/**
 * The lowest quality before the engine downscales instead. Every metric we have keeps the pixels far
 * lower: on the corpus's hardest photos, SSIM at the original resolution and butteraugli and
 * SSIMULACRA at the display size all score the full size at q14-43 above every downscale that fits
 * (docs/decisions/0002-quality-floor.md). Looking at the pixels draws the line: at q37-43 the full
 * size looks as good as the downscale or better; at q14-18 it shows blocks in skies and smooth areas
 * that a downscale's softness does not.
 */
export const QUALITY_FLOOR = 40;
/**
 * Below 75 mozjpeg's DC trellis draws horizontal lines in smooth areas (mozjpeg #393;
 * docs/decisions/0004-no-trellis-below-75.md: 226 streaks over the corpus at 60 with trellis, 49 without,
 * 15 vs 5 at 70, none at 75): qualities below this are encoded without trellis, so without DC trellis.
 */
export const TRELLIS_MIN_QUALITY = 75;
/** The smallest side we will shrink to before declaring the budget unreachable. */
export const MIN_SIDE = 16;

export function resolveOptions(opts: CompressOptions = {}): ResolvedOptions {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 1024) {
    throw new RangeError(`maxBytes must be an integer >= 1024, got ${maxBytes}`);
  }
  const quality = opts.quality;
  if (quality !== undefined && (!Number.isInteger(quality) || quality < 1 || quality > 100)) {
    throw new RangeError(`quality must be an integer 1-100, got ${quality}`);
  }
  for (const [name, v] of [
    ["maxWidth", opts.maxWidth],
    ["maxHeight", opts.maxHeight],
    ["maxOutputPixels", opts.maxOutputPixels],
  ] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new RangeError(`${name} must be a positive integer, got ${v}`);
    }
  }
  const qualityCeiling = quality ?? QUALITY_CEILING;
  return {
    maxBytes,
    maxWidth: opts.maxWidth,
    maxHeight: opts.maxHeight,
    qualityCeiling,
    // An explicit low quality is honoured: the floor never rises above the ceiling.
    qualityFloor: Math.min(QUALITY_FLOOR, qualityCeiling),
    spareCeiling: quality ?? SPARE_QUALITY,
    limitInputPixels: opts.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS,
    maxOutputPixels: opts.maxOutputPixels ?? DEFAULT_MAX_OUTPUT_PIXELS,
    signal: opts.signal,
  };
}
