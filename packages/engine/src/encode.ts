import { TRELLIS_MIN_QUALITY } from "./options";
import type { Prepared } from "./prepare";
import { sharp } from "./runtime";

export type Chroma = "4:2:0" | "4:4:4";

/** Everything that varies between two encodes of the same pixels. */
export interface EncodeSettings {
  quality: number;
  chroma: Chroma;
  /**
   * Without trellis and scan optimisation: 3-6x faster, and never smaller than the real encode at the
   * same quality (both only remove bytes), so an upper bound of its size. Never returned as output.
   */
  upperBound?: boolean;
  /**
   * An encode of the row sample (sample.ts) that only measures: scan optimisation off, at ~54 % of
   * the time. It adds 1-6 % to the size, nearly the same at neighbouring qualities (median drift
   * 0.1 % per step), and the full encode that calibrates the sample absorbs it.
   */
  measureOnly?: boolean;
}

/**
 * One JPEG encode of prepared pixels with mozjpeg: trellis quantisation (AC and DC: libvips exposes
 * no separate DC switch, so it is off below TRELLIS_MIN_QUALITY, where DC trellis draws lines),
 * optimised progressive scans, overshoot deringing and mozjpeg's quant tables. No metadata is written:
 * the pixels were converted to sRGB (or grey) while preparing, and an untagged JPEG is read as sRGB,
 * so an ICC profile would only cost bytes.
 */
export function encodeJpeg(pixels: Prepared, settings: EncodeSettings): Promise<Buffer> {
  let img = sharp(pixels.data, {
    raw: { width: pixels.width, height: pixels.height, channels: pixels.channels },
  });
  // Raw one-channel input is taken as RGB unless told: say it is grey, for a one-component JPEG.
  if (pixels.channels === 1) img = img.toColourspace("b-w");
  return img
    .jpeg({
      quality: settings.quality,
      mozjpeg: true,
      progressive: true,
      optimiseScans: !settings.upperBound && !settings.measureOnly,
      trellisQuantisation: !settings.upperBound && settings.quality >= TRELLIS_MIN_QUALITY,
      overshootDeringing: true,
      chromaSubsampling: settings.chroma,
    })
    .toBuffer();
}
