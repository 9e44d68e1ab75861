import type { Prepared } from "./prepare";

/** Bands of this many rows (the 16-row 4:2:0 MCU row) make up the sample. */
const BAND = 16;
/** Keep one band in this many... */
export const SAMPLE_EVERY = 8;
/** ...but at least this many bands: fewer sample the picture too coarsely (errors of 10 % seen with 6). */
const MIN_BANDS = 12;
/**
 * Full-image bytes over (sample bytes x pixel ratio) at the same quality, the full image encoded for
 * output and the sample measure-only (encode.ts): the corpus median at the engine's answer, 0.955
 * (0.91-1.01; docs/decisions/0012-row-sample-search.md). One band in 8 of 16 rows tracks the full image as closely as one in 4 of 32 rows did (80th percentile error 2.5 %),
 * at half the cost: more, thinner bands sample the picture more evenly.
 */
export const SAMPLE_FACTOR = 0.955;
/**
 * The same factor for pixels resized from the decoded source: at the first full encode it was a median
 * 2.5 % higher than for images at their decoded size (every first-encode miss but one was on a
 * resized image). 0.97 took the corpus from 40 to 37 full encodes.
 */
export const SAMPLE_FACTOR_RESIZED = 0.97;
/** Below this many pixels a full encode is cheap enough; no sample. */
export const SAMPLE_MIN_PIXELS = 600_000;

/**
 * One band of rows in every SAMPLE_EVERY, stacked: an eighth of the pixels spread evenly over the
 * image. JPEG codes MCU rows almost independently, so the sample's encoded size tracks the full
 * image's at every quality by a nearly constant factor, which one full encode measures. The search
 * then runs on the sample at an eighth of the cost.
 */
export function sampleRows(pixels: Prepared): Prepared | undefined {
  if (!canSample(pixels)) return undefined;
  const rowBytes = pixels.width * pixels.channels;
  const every = Math.max(2, Math.min(SAMPLE_EVERY, Math.floor(pixels.height / (BAND * MIN_BANDS))));
  const bands = Math.floor(pixels.height / (BAND * every));
  const data = Buffer.allocUnsafe(bands * BAND * rowBytes);
  for (let b = 0; b < bands; b++) {
    // The band at the middle of each group of `every` bands.
    const y0 = (b * every + (every >> 1)) * BAND;
    pixels.data.copy(data, b * BAND * rowBytes, y0 * rowBytes, (y0 + BAND) * rowBytes);
  }
  return { data, width: pixels.width, height: bands * BAND, channels: pixels.channels };
}

/** Whether sampleRows gives a sample for pixels of this size (without building it). */
export function canSample(size: { width: number; height: number }): boolean {
  return size.width * size.height >= SAMPLE_MIN_PIXELS && size.height >= BAND * MIN_BANDS * 2;
}
