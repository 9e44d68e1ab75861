import sharp from "sharp";
import type { Prepared } from "./prepare";

export type Chroma = "4:2:0" | "4:4:4";

/**
 * One JPEG encode of prepared pixels. mozjpeg mode turns on trellis quantisation, optimised
 * progressive scans and its tuned quant tables; no metadata is written (the pixels are sRGB already).
 */
export function encodeJpeg(pixels: Prepared, quality: number, chroma: Chroma): Promise<Buffer> {
  return sharp(pixels.data, {
    raw: { width: pixels.width, height: pixels.height, channels: pixels.channels },
  })
    .jpeg({ quality, mozjpeg: true, chromaSubsampling: chroma })
    .toBuffer();
}
