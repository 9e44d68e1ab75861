import type { ResolvedOptions } from "./options";
import type { SourceInfo } from "./probe";
import { sharp } from "./runtime";
import { stripJpegMetadata } from "./strip-metadata";

/**
 * A source JPEG that already fits, needs no rotation, no colour conversion and no resize is best
 * left alone: any re-encode would only add loss. Its metadata and anything after the image still go
 * (strip-metadata.ts), and what remains must decode cleanly to be trusted. Undefined: re-encode it.
 */
export async function passThrough(
  input: Buffer,
  source: SourceInfo,
  opts: ResolvedOptions,
): Promise<Buffer | undefined> {
  const untouched =
    source.format === "jpeg" &&
    source.bytes <= opts.maxBytes &&
    source.orientation === 1 &&
    (source.space === "srgb" || source.space === "b-w") &&
    opts.qualityCeiling >= 100 - 8 && // an explicit low quality asks for a re-encode
    source.width * source.height <= opts.maxOutputPixels &&
    (!opts.maxWidth || opts.maxWidth >= source.width) &&
    (!opts.maxHeight || opts.maxHeight >= source.height);
  if (!untouched) return undefined;
  const stripped = stripJpegMetadata(input);
  if (!stripped) return undefined;
  try {
    await sharp(stripped, { limitInputPixels: opts.limitInputPixels }).raw().toBuffer();
    return stripped;
  } catch {
    return undefined;
  }
}
