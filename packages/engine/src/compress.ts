import { type Chroma, encodeJpeg } from "./encode";
import { EngineError } from "./errors";
import { fitInside, type Size, scaleSize } from "./geometry";
import { type CompressOptions, MIN_SIDE, resolveOptions } from "./options";
import { canPassThrough } from "./passthrough";
import { prepare } from "./prepare";
import { probe, type SourceInfo } from "./probe";
import { searchQuality } from "./search";

export interface CompressResult {
  jpeg: Buffer;
  width: number;
  height: number;
  /** The JPEG quality used; null when the source was stored as it was. */
  quality: number | null;
  /** How many JPEG encodes the search made (0 for a pass-through). */
  encodes: number;
  chroma: Chroma;
  /** Output long side over source long side (1 = not downscaled). */
  scale: number;
  passthrough: boolean;
  source: SourceInfo;
  timings: { probeMs: number; prepareMs: number; encodeMs: number; totalMs: number };
}

/** Never shrink by less than this per step: a downscale that barely changes size wastes a decode. */
const MIN_SHRINK = 0.97;
/** Aim a little under the estimate, since the quality search will then spend what is left. */
const SHRINK_MARGIN = 0.95;

export async function compress(input: Buffer, options?: CompressOptions): Promise<CompressResult> {
  const opts = resolveOptions(options);
  const started = performance.now();
  const source = await probe(input, opts.limitInputPixels);
  const probeMs = performance.now() - started;
  const display: Size = { width: source.displayWidth, height: source.displayHeight };

  if (await canPassThrough(input, source, opts)) {
    return {
      jpeg: input,
      width: source.width,
      height: source.height,
      quality: null,
      encodes: 0,
      chroma: "4:2:0",
      scale: 1,
      passthrough: true,
      source,
      timings: { probeMs, prepareMs: 0, encodeMs: 0, totalMs: performance.now() - started },
    };
  }

  const chroma: Chroma = "4:2:0";
  let target = fitInside(display, opts.maxWidth, opts.maxHeight);
  let prepareMs = 0;
  let encodeMs = 0;
  let encodes = 0;
  for (;;) {
    const t0 = performance.now();
    const pixels = await prepare(input, source, target, opts.limitInputPixels);
    const t1 = performance.now();
    prepareMs += t1 - t0;
    const result = await searchQuality(
      (q) => encodeJpeg(pixels, q, chroma),
      opts.qualityFloor,
      opts.qualityCeiling,
      opts.maxBytes,
    );
    encodeMs += performance.now() - t1;
    encodes += result.encodes;
    if (result.best) {
      return {
        jpeg: result.best.bytes,
        width: pixels.width,
        height: pixels.height,
        quality: result.best.quality,
        encodes,
        chroma,
        scale: Math.max(pixels.width, pixels.height) / Math.max(display.width, display.height),
        passthrough: false,
        source,
        timings: { probeMs, prepareMs, encodeMs, totalMs: performance.now() - started },
      };
    }
    // Bytes scale roughly with pixel count, so shrink the sides by the square root of the excess.
    const shrink = Math.min(MIN_SHRINK, Math.sqrt(opts.maxBytes / result.smallestSize) * SHRINK_MARGIN);
    const next = scaleSize(
      display,
      (Math.max(target.width, target.height) * shrink) / Math.max(display.width, display.height),
    );
    if (
      Math.min(target.width, target.height) <= MIN_SIDE ||
      (next.width === target.width && next.height === target.height)
    ) {
      throw new EngineError(
        "budget_unreachable",
        `the image cannot fit in ${opts.maxBytes} bytes even at ${target.width}x${target.height}`,
      );
    }
    target = next;
  }
}
