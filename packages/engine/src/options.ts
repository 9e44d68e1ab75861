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
}

export interface ResolvedOptions {
  maxBytes: number;
  maxWidth: number | undefined;
  maxHeight: number | undefined;
  qualityCeiling: number;
  qualityFloor: number;
  limitInputPixels: number;
}

export const DEFAULT_MAX_BYTES = 184_320;
export const DEFAULT_LIMIT_INPUT_PIXELS = 50_000_000;
/** Above ~92 mozjpeg spends bytes on noise no one sees; below ~55 blocking and ringing become visible. */
export const QUALITY_CEILING = 92;
export const QUALITY_FLOOR = 55;
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
    limitInputPixels: opts.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS,
  };
}
