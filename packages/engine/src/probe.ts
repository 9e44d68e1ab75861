import sharp, { type Metadata } from "sharp";
import { EngineError } from "./errors";
import { isStandardSrgb } from "./icc";

/** Facts about the source, read from its header only (no pixel decode). */
export interface SourceInfo {
  format: string;
  /** Stored dimensions (before EXIF orientation). */
  width: number;
  height: number;
  /** Dimensions as displayed, after EXIF orientation. */
  displayWidth: number;
  displayHeight: number;
  orientation: number;
  space: string;
  hasAlpha: boolean;
  pages: number;
  bytes: number;
  /** The embedded ICC profile is the standard sRGB one (icc.ts): decoding may skip it. */
  srgbProfile: boolean;
}

const REFUSED_FORMATS = new Set(["svg"]);

export async function probe(input: Buffer, limitInputPixels: number): Promise<SourceInfo> {
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (cause) {
    // libvips recognised a format but could not read its header (a JPEG cut short, say): an image that
    // cannot be decoded, not something else.
    if (/corrupt header/.test((cause as Error).message))
      throw new EngineError("undecodable", "the image could not be decoded (corrupt or truncated data)", {
        cause,
      });
    throw new EngineError("not_an_image", "the data is not an image in any supported format", { cause });
  }
  const { format, width, height } = meta;
  if (!format || !width || !height) {
    throw new EngineError("not_an_image", "the data is not an image in any supported format");
  }
  if (REFUSED_FORMATS.has(format)) {
    throw new EngineError("unsupported_format", `${format} images are not accepted`);
  }
  // Checked against the header before any decode, so a bomb never allocates its pixels.
  if (width * height > limitInputPixels) {
    throw new EngineError(
      "too_many_pixels",
      `the image has ${width}x${height} pixels, more than the limit of ${limitInputPixels}`,
    );
  }
  const orientation = meta.orientation ?? 1;
  const swapped = orientation >= 5 && orientation <= 8;
  return {
    format,
    width,
    height,
    displayWidth: swapped ? height : width,
    displayHeight: swapped ? width : height,
    orientation,
    space: meta.space ?? "srgb",
    hasAlpha: meta.hasAlpha ?? false,
    pages: meta.pages ?? 1,
    bytes: input.length,
    srgbProfile: meta.space === "srgb" && isStandardSrgb(meta.icc),
  };
}
