import type { CompressOptions, CompressResult } from "@belfoot/engine";
import { probe } from "@belfoot/engine";
import { compressImage } from "./compress-image";
import { cancelled, type Place } from "./compression-queue";

/**
 * The pixels a source decodes to, read from its header alone (nothing decoded yet): what the queue's
 * pixel budget counts, since a 150 KB JPEG can hold 50 MP. 0 when the header is unreadable or over
 * LIMIT_INPUT_PIXELS: the engine then refuses the source before decoding any of it.
 */
async function sourcePixels(bytes: Buffer, limitInputPixels: number): Promise<number> {
  try {
    const source = await probe(bytes, limitInputPixels);
    return source.width * source.height;
  } catch {
    return 0;
  }
}

/**
 * Compresses a source in its queue place, counted by its decoded pixels, and stops as soon as its
 * client is gone: it leaves the line, the engine stops between encodes, and a result that arrives
 * anyway is dropped (the caller stores nothing after a cancelled job).
 */
export async function runCompression(
  place: Place,
  bytes: Buffer,
  opts: CompressOptions & { limitInputPixels: number; signal: AbortSignal },
): Promise<CompressResult> {
  const pixels = await sourcePixels(bytes, opts.limitInputPixels);
  const result = await place.run(() => compressImage(bytes, opts), { pixels, signal: opts.signal });
  if (opts.signal.aborted) throw cancelled();
  return result;
}
