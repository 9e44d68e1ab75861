import { BETA, FLOOR_MISS_HEADROOM, planScale, slopeAt, TARGET_QUALITY } from "../decide-scale";
import { EngineError } from "../errors";
import { type Size, scaleSize } from "../geometry";
import { MIN_SIDE } from "../options";
import { resizePixels } from "../prepare";
import { canSample, SAMPLE_FACTOR, SAMPLE_FACTOR_RESIZED, sampleRows } from "../sample";
import { checkScale } from "../scale-check";
import { withLongSide } from "./prepare";
import {
  type Attempt,
  type FitState,
  longSide,
  measureSample,
  preparing,
  type QualitySize,
  sameSize,
} from "./state";

/** A downscale forced by a floor miss shrinks the sides by at least this, so the loop always ends. */
const MIN_SHRINK = 0.97;
/** Aim a little under the estimate after a miss: the search spends what is left. */
const SHRINK_MARGIN = 0.97;

/**
 * Step 2a: the first size to try. Large images start at their decoded size and check it on their own
 * row sample (sizeAttempt); small ones are sized from a preview (decide-scale.ts planScale).
 */
export async function planFirstSize(state: FitState): Promise<void> {
  const { decoded, display, opts } = state;
  if (canSample(decoded)) {
    state.start = TARGET_QUALITY;
    return;
  }
  const plan = await planScale(decoded, state.chroma, opts.maxBytes, opts.qualityCeiling, opts.signal);
  state.counts.previewEncodes += plan.previewEncodes;
  state.size = sameSize(plan.size, decoded) ? plan.size : withLongSide(display, longSide(plan.size));
  state.start = plan.startQuality;
}

/** Step 2b: the pixels at `state.size`, moved to another size while their row sample says so. */
export async function sizeAttempt(state: FitState): Promise<Attempt> {
  for (;;) {
    const attempt = await resizeTo(state, state.size);
    const next = await rescale(state, attempt);
    if (!next) return attempt;
    state.size = next;
  }
}

async function resizeTo(state: FitState, size: Size): Promise<Attempt> {
  const pixels = await preparing(state, () => resizePixels(state.decoded, size));
  const sample = sampleRows(pixels);
  const resized = !sameSize(pixels, state.decoded);
  const factor = resized ? SAMPLE_FACTOR_RESIZED : SAMPLE_FACTOR;
  const ratio = sample ? ((pixels.width * pixels.height) / (sample.width * sample.height)) * factor : 1;
  return { pixels, sample, ratio, resized, known: [] };
}

/**
 * The row sample's word on this size (scale-check.ts), from one sample encode at TARGET_QUALITY that
 * the search reuses: undefined to keep it (the search's start set), or the size to try instead.
 */
async function rescale(state: FitState, attempt: Attempt): Promise<Size | undefined> {
  const { opts, display, decoded } = state;
  if (!attempt.sample) return undefined;
  const quality = Math.min(TARGET_QUALITY, opts.qualityCeiling);
  const bytes = (await measureSample(state, attempt.sample, { quality, chroma: state.chroma })).length;
  attempt.known.push({ quality, size: bytes });
  const { qualityFloor, qualityCeiling, maxBytes } = opts;
  const atDecoded = !attempt.resized;
  const check = checkScale(
    bytes * attempt.ratio,
    maxBytes,
    qualityFloor,
    qualityCeiling,
    atDecoded,
    !state.regrown,
  );
  if (check.keep) {
    state.start = check.start;
    return undefined;
  }
  const long = longSide(attempt.pixels) * Math.sqrt(check.fraction);
  const next = withLongSide(display, Math.min(longSide(decoded), long));
  if (sameSize(next, attempt.pixels)) return undefined;
  if (attempt.resized) state.regrown = true;
  return next;
}

/**
 * Step 2c, when even the floor did not fit: from the lowest quality measured, predict the pixels at
 * which a quality just above the floor fits (decide-scale.ts `FLOOR_MISS_HEADROOM`), to be resized
 * from the decoded source again (never from the last attempt). Throws when no smaller size is left.
 */
export function shrinkAfterFloorMiss(state: FitState, lowest: QualitySize): void {
  const { opts, display, size } = state;
  const aim = Math.min(opts.qualityCeiling, opts.qualityFloor + FLOOR_MISS_HEADROOM);
  const atAim = lowest.size * Math.exp(slopeAt(lowest.quality) * (aim - lowest.quality));
  const shrink = Math.min(MIN_SHRINK, (opts.maxBytes / atAim) ** (1 / (2 * BETA)) * SHRINK_MARGIN);
  const next = scaleSize(display, (longSide(size) * shrink) / longSide(display));
  if (Math.min(size.width, size.height) <= MIN_SIDE || sameSize(next, size)) {
    throw new EngineError(
      "budget_unreachable",
      `the image cannot fit in ${opts.maxBytes} bytes even at ${size.width}x${size.height}`,
    );
  }
  state.size = next;
  state.start = Math.min(TARGET_QUALITY, opts.qualityCeiling);
}
