import { EngineError } from "./errors";
import type { Size } from "./geometry";
import type { SourceInfo } from "./probe";
import { sharp } from "./runtime";

/** Decoded, display-ready 8-bit pixels: the only input the encode step needs. */
export interface Prepared {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** True for sources kept as one grey channel (encoded as a greyscale JPEG). */
export function isGrey(source: SourceInfo): boolean {
  return source.space === "b-w" || source.space === "grey16";
}

/**
 * Decode the source once: first frame, EXIF orientation applied, alpha flattened on white, converted
 * to sRGB (CMYK and tagged sources through their ICC profile, unless it is sRGB already) or kept
 * grey, 8 bits. When `size` is smaller than the displayed source (a caller's box, or more pixels than
 * the budget can ever use), the reduction happens in the same pass with lanczos3, and sharp decodes
 * JPEG and WebP with shrink-on-load, so a 24 MP source never exists in memory at full size.
 */
export async function decodeSource(
  input: Buffer,
  source: SourceInfo,
  size: Size,
  limitInputPixels: number,
): Promise<Prepared> {
  // A standard sRGB profile converts sRGB to sRGB: skip that identity (icc.ts).
  let pipeline = sharp(input, {
    limitInputPixels,
    pages: 1,
    sequentialRead: true,
    ignoreIcc: source.srgbProfile,
  }).rotate();
  if (size.width !== source.displayWidth || size.height !== source.displayHeight) {
    pipeline = pipeline.resize(size.width, size.height, { fit: "fill", kernel: "lanczos3" });
  }
  if (source.hasAlpha) pipeline = pipeline.flatten({ background: "#ffffff" });
  pipeline = pipeline.toColourspace(isGrey(source) ? "b-w" : "srgb");
  try {
    const { data, info } = await pipeline.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 && info.channels !== 3) {
      throw new Error(`unexpected channel count ${info.channels} after flattening`);
    }
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (cause) {
    throw new EngineError("undecodable", "the image could not be decoded (corrupt or truncated data)", {
      cause,
    });
  }
}

/** Resample decoded pixels to `size` with lanczos3, in one step (never a chain of small steps). */
export async function resizePixels(pixels: Prepared, size: Size, kernel: "lanczos3" | "linear" = "lanczos3") {
  if (size.width === pixels.width && size.height === pixels.height) return pixels;
  const { data, info } = await sharp(pixels.data, {
    raw: { width: pixels.width, height: pixels.height, channels: pixels.channels },
  })
    .resize(size.width, size.height, { fit: "fill", kernel })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: pixels.channels } satisfies Prepared;
}
