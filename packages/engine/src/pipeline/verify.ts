import type { Size } from "../geometry";
import type { ResolvedOptions } from "../options";
import type { CompressResult } from "../result";
import { type Answer, type CompressState, longSide } from "./state";

/**
 * The answer broke a promise the engine makes: a bug, never the caller's fault (the converter answers
 * 500 and stores nothing).
 */
export class OutputCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputCheckError";
  }
}

/**
 * Step 5, at the exit: whatever the steps before did, an answer over the budget or the pixel cap, larger
 * than the source or the caller's box, or off the source's proportions is never returned.
 */
export function verify(state: CompressState, answer: Answer): CompressResult {
  const problems = violations(answer, state.display, state.opts);
  if (problems.length > 0)
    throw new OutputCheckError(`compress() would break its promises: ${problems.join("; ")}`);
  const totalMs = performance.now() - state.started;
  const { probeMs, prepareMs } = state.timings;
  return {
    jpeg: answer.jpeg,
    width: answer.width,
    height: answer.height,
    quality: answer.quality,
    ...state.counts,
    searchVerified: answer.verified,
    chroma: answer.chroma,
    scale: longSide(answer) / longSide(state.display),
    passthrough: answer.passthrough,
    source: state.source,
    timings: { probeMs, prepareMs, encodeMs: totalMs - probeMs - prepareMs, totalMs },
  };
}

/** Every promise the answer breaks, in words (none: an empty list). */
export function violations(answer: Answer, display: Size, opts: ResolvedOptions): string[] {
  const { width, height } = answer;
  const out: string[] = [];
  if (answer.jpeg.length > opts.maxBytes) out.push(`${answer.jpeg.length} bytes, over ${opts.maxBytes}`);
  if (width * height > opts.maxOutputPixels)
    out.push(`${width}x${height}, over ${opts.maxOutputPixels} pixels`);
  if (width > display.width || height > display.height) out.push(`${width}x${height} upscales the source`);
  if ((opts.maxWidth && width > opts.maxWidth) || (opts.maxHeight && height > opts.maxHeight)) {
    out.push(`${width}x${height} is outside the box ${opts.maxWidth ?? "-"}x${opts.maxHeight ?? "-"}`);
  }
  if (!keepsProportions(answer, display)) {
    out.push(`${width}x${height} is off the proportions of ${display.width}x${display.height}`);
  }
  return out;
}

/** The short side within 1 px of the exact proportion for the long side (geometry.ts scaleSize). */
function keepsProportions(size: Size, display: Size): boolean {
  return display.width >= display.height
    ? Math.abs(size.height - (size.width * display.height) / display.width) <= 1
    : Math.abs(size.width - (size.height * display.width) / display.height) <= 1;
}
