import type { Prepared } from "./prepare";

/** Bands of this many rows (a multiple of the 16-row 4:2:0 MCU row) make up the sample. */
const BAND = 32;
/** Keep one band in this many. */
export const SAMPLE_EVERY = 4;
/** Below this many pixels a full encode is cheap enough; no sample. */
export const SAMPLE_MIN_PIXELS = 600_000;

/**
 * One band of rows in every SAMPLE_EVERY, stacked: a quarter of the pixels spread evenly over the
 * image. JPEG codes MCU rows almost independently, so the sample's encoded size tracks the full
 * image's at every quality by a nearly constant factor, which one full encode measures. The search
 * then runs on the sample at a quarter of the cost.
 */
export function sampleRows(pixels: Prepared): Prepared | undefined {
  if (pixels.width * pixels.height < SAMPLE_MIN_PIXELS || pixels.height < BAND * SAMPLE_EVERY * 2)
    return undefined;
  const rowBytes = pixels.width * pixels.channels;
  const bands = Math.floor(pixels.height / (BAND * SAMPLE_EVERY));
  const data = Buffer.allocUnsafe(bands * BAND * rowBytes);
  for (let b = 0; b < bands; b++) {
    // The band at the middle of each group of SAMPLE_EVERY bands.
    const y0 = (b * SAMPLE_EVERY + (SAMPLE_EVERY >> 1)) * BAND;
    pixels.data.copy(data, b * BAND * rowBytes, y0 * rowBytes, (y0 + BAND) * rowBytes);
  }
  return { data, width: pixels.width, height: bands * BAND, channels: pixels.channels };
}
