import sharp from "sharp";
import { EngineError } from "./errors";
import type { Size } from "./geometry";
import type { SourceInfo } from "./probe";

/** Decoded, display-ready 8-bit pixels: the only input the encode step needs. */
export interface Prepared {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 3;
}

/**
 * Decode once: first frame, EXIF orientation applied, alpha flattened on white, converted to sRGB
 * (or kept grayscale), resized with lanczos3 straight from the source. sharp uses shrink-on-load
 * for JPEG and WebP when the target is smaller, so a 24 MP source never decodes at full size.
 */
export async function prepare(
  input: Buffer,
  source: SourceInfo,
  target: Size,
  limitInputPixels: number,
): Promise<Prepared> {
  const grey = source.space === "b-w" || source.space === "grey16";
  let pipeline = sharp(input, { limitInputPixels, pages: 1, sequentialRead: true }).rotate();
  if (target.width !== source.displayWidth || target.height !== source.displayHeight) {
    pipeline = pipeline.resize(target.width, target.height, { fit: "fill", kernel: "lanczos3" });
  }
  if (source.hasAlpha) pipeline = pipeline.flatten({ background: "#ffffff" });
  pipeline = pipeline.toColourspace(grey ? "b-w" : "srgb");
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
