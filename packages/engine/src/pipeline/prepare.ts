import { initialChroma } from "../chroma";
import { maxUsefulPixels } from "../decide-scale";
import { fitInside, fitPixels, type Size, scaleSize } from "../geometry";
import type { ResolvedOptions } from "../options";
import { passThrough } from "../passthrough";
import { decodeSource } from "../prepare";
import { probe } from "../probe";
import { type Answer, type CompressState, type FitState, longSide, preparing } from "./state";

/** Step 1a: read the header (refusing what we will not decode) and start the state. */
export async function probeSource(input: Buffer, opts: ResolvedOptions): Promise<CompressState> {
  const started = performance.now();
  const source = await probe(input, opts.limitInputPixels);
  return {
    input,
    opts,
    source,
    display: { width: source.displayWidth, height: source.displayHeight },
    started,
    timings: { probeMs: performance.now() - started, prepareMs: 0 },
    counts: { encodes: 0, previewEncodes: 0, sampleEncodes: 0, boundEncodes: 0 },
  };
}

/** Step 1b: a JPEG that needs nothing done is the answer, without its metadata (passthrough.ts). */
export async function passThroughStep(state: CompressState): Promise<Answer | undefined> {
  const jpeg = await preparing(state, () => passThrough(state.input, state.source, state.opts));
  if (!jpeg) return undefined;
  const { width, height } = state.source;
  return { jpeg, width, height, quality: null, chroma: "4:2:0", verified: true, passthrough: true };
}

/** Step 1c: decode once, at the largest size worth having (decodeSize). */
export async function decodeStep(state: CompressState): Promise<FitState> {
  const size = decodeSize(state);
  const decoded = await preparing(state, () =>
    decodeSource(state.input, state.source, size, state.opts.limitInputPixels),
  );
  return {
    ...state,
    decoded,
    chroma: initialChroma(decoded),
    size: { width: decoded.width, height: decoded.height },
    start: 0,
    regrown: false,
  };
}

/**
 * Never more pixels than the caller's box, the output pixel cap, or what the budget can use
 * (decide-scale.ts `maxUsefulPixels`): a 24 MP source never exists in memory at full size.
 */
export function decodeSize({ display, opts }: Pick<CompressState, "display" | "opts">): Size {
  const box = fitInside(display, opts.maxWidth, opts.maxHeight);
  const cap = Math.sqrt(maxUsefulPixels(opts.maxBytes) / (box.width * box.height));
  const useful = cap < 1 ? withLongSide(display, longSide(box) * cap) : box;
  const capped = fitPixels(display, opts.maxOutputPixels);
  return longSide(useful) <= longSide(capped) ? useful : capped;
}

/** The display size scaled so its long side is `long` px. */
export function withLongSide(display: Size, long: number): Size {
  return scaleSize(display, long / longSide(display));
}
