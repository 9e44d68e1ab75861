import type { ResolvedOptions } from "./options";
import type { SourceInfo } from "./probe";
import { sharp } from "./runtime";

/**
 * A source JPEG that already fits, needs no rotation, no colour conversion and no resize is best
 * left alone: any re-encode would only add loss. It must still decode cleanly to be trusted.
 */
export async function canPassThrough(input: Buffer, source: SourceInfo, opts: ResolvedOptions) {
  const untouched =
    source.format === "jpeg" &&
    source.bytes <= opts.maxBytes &&
    source.orientation === 1 &&
    (source.space === "srgb" || source.space === "b-w") &&
    opts.qualityCeiling >= 100 - 8 && // an explicit low quality asks for a re-encode
    (!opts.maxWidth || opts.maxWidth >= source.width) &&
    (!opts.maxHeight || opts.maxHeight >= source.height);
  if (!untouched) return false;
  try {
    await sharp(input, { limitInputPixels: opts.limitInputPixels }).raw().toBuffer();
    return true;
  } catch {
    return false;
  }
}
