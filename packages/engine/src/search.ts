/** A verified encode: `bytes.length` was measured, not predicted. */
export interface Encoded {
  quality: number;
  bytes: Buffer;
}

export interface SearchResult {
  /** The highest quality whose encode fit, or undefined when even the floor did not fit. */
  best: Encoded | undefined;
  /** Every (quality, bytes) measured, in order: the caller sizes a downscale from them. */
  tried: { quality: number; size: number }[];
  encodes: number;
  /**
   * True when best + 1 was encoded and did not fit (or best is the ceiling). False when the search
   * stopped because the measured size curve put best + 1 clearly over the budget.
   */
  verified: boolean;
  /** Encodes of a row sample that steered the search (searchSampled only). */
  sampleEncodes: number;
  /** The lowest quality tried and its full-size bytes (measured, or predicted from a sample). */
  lowest: { quality: number; size: number };
}

export interface SearchInput {
  encode: (quality: number) => Promise<Buffer>;
  floor: number;
  ceiling: number;
  maxBytes: number;
  /** The predicted answer: the first quality tried. */
  start: number;
  /** Prior for d ln(size) / d quality at a quality, used until two encodes give a secant. */
  slope: (quality: number) => number;
  /**
   * A quality where the size curve steps down (trellis switches on there: encode.ts). An answer just
   * below it is not the highest quality that fits when the step itself fits: try it (see STEP_WINDOW).
   */
  stepDown?: number;
}

/** Stop without encoding best + 1 when the curve says it would exceed the budget by this much. */
export const STOP_MARGIN = 0.005;
/** Size wiggles by ~1 % between neighbours: a secant over fewer qualities is mostly noise. */
const MIN_SECANT_SPAN = 3;
/** Give up without encoding the floor when the curve predicts an answer this far below it. */
export const GIVE_UP_BELOW = 3;
/**
 * Try `stepDown` before any quality this close below it. At 75, where trellis starts, an encode is a
 * median 0.89 (0.79-0.99) of the size at 74: the size of an encode without trellis 3.8 qualities lower
 * (up to 4.7; bench/studies/trellis-step-study.ts, 32 images at 2560 px). Without the try, the search
 * stopped at q70-73 where q76-78 fit (mate-dune, mate-ladybird, mate-wood, plasma-bythewater).
 */
export const STEP_WINDOW = 5;

/** Whether q is within STEP_WINDOW below a step down that the ceiling allows (so the step is worth a try). */
export function justBelowStep(q: number, stepDown: number | undefined, ceiling: number): stepDown is number {
  return stepDown !== undefined && q < stepDown && q >= stepDown - STEP_WINDOW && stepDown <= ceiling;
}

/**
 * Find the highest quality in [floor, ceiling] whose encode is at most maxBytes, starting from a
 * prediction. Size is nearly monotone in quality, so ln(size) is treated as locally linear: each step
 * jumps to where the line through the nearest measured points crosses the budget (Newton with the
 * prior slope after one point, secant after two), kept strictly inside the bracket [fits, too big]
 * so the search always ends. Only verified encodes are returned, and the best is the highest quality
 * that fitted, whatever the curve's wiggles (size is not strictly monotone).
 */
export async function searchQuality(input: SearchInput): Promise<SearchResult> {
  const { encode, floor, ceiling, maxBytes } = input;
  const tried: { quality: number; size: number }[] = [];
  let best: Encoded | undefined;
  let fits: number | undefined; // highest quality known to fit
  let tooBig: number | undefined; // lowest quality known not to fit
  const sizeOf = (q: number) => tried.find((t) => t.quality === q)?.size;

  const stepDown = input.stepDown;
  // How the step's try went: "fits" (only the curve above it counts now), "over" (only below it).
  let step: "fits" | "over" | undefined;

  let q = clamp(Math.round(input.start), floor, ceiling);
  for (;;) {
    // About to try a quality just below the step, with the step untried: try the step first. When it
    // fits, nothing below it can be the answer and the encodes below it are saved (mate-ladybird's
    // sample search tried 72, 73 and 74 before 75); when it does not, the search goes on below it.
    const deferred = justBelowStep(q, stepDown, ceiling) && sizeOf(stepDown) === undefined ? q : undefined;
    if (deferred !== undefined) q = stepDown as number;
    const bytes = await encode(q);
    tried.push({ quality: q, size: bytes.length });
    if (bytes.length <= maxBytes) {
      if (!best || q > best.quality) best = { quality: q, bytes };
      if (fits === undefined || q > fits) fits = q;
    } else if (tooBig === undefined || q < tooBig) tooBig = q;
    if (deferred !== undefined) {
      if (bytes.length > maxBytes) {
        // Size only rises above the step, so the answer is below it: back to the deferred quality.
        step = "over";
        q = clamp(deferred, (fits ?? floor - 1) + 1, q - 1);
        continue;
      }
      // What was too big below the step may fit above it.
      step = "fits";
      if (tooBig !== undefined && tooBig < q) tooBig = undefined;
    }

    if (fits === ceiling) return done(true);
    if (tooBig === floor) return done(false);
    const closed = fits !== undefined && tooBig !== undefined && tooBig - fits <= 1;
    // Points across the step say nothing about the slope on either side of it, and a step that was
    // over bounds the answer without saying how far below it the curve crosses the budget: below it,
    // the curve below decides when to stop, as it did before the step was tried first.
    const curve =
      step === "fits"
        ? tried.filter((t) => t.quality >= (stepDown as number))
        : step === "over"
          ? tried.filter((t) => t.quality !== stepDown)
          : tried;
    const overBelow = step === "over" && tooBig === stepDown ? undefined : tooBig;
    const slope = localSlope(curve, fits, overBelow) ?? input.slope(fits ?? (tooBig as number));
    // Only fitting points: stop when the next step up is clearly over the budget.
    const nextOver =
      fits !== undefined &&
      overBelow === undefined &&
      (sizeOf(fits) as number) * Math.exp(slope) > maxBytes * (1 + STOP_MARGIN);
    if (closed) return done(true);
    if (nextOver) return done(false);
    const anchor = fits ?? (tooBig as number);
    const anchorSize = sizeOf(anchor) as number;
    let next = Math.floor(anchor + Math.log(maxBytes / anchorSize) / slope);
    // Nothing fits yet and the curve puts the answer well under the floor: a smaller size is needed,
    // and encoding the floor first would only confirm it.
    if (fits === undefined && next < floor - GIVE_UP_BELOW) return done(false);
    const low = fits ?? floor - 1;
    const high = tooBig ?? ceiling + 1;
    next = clamp(next, low + 1, high - 1);
    q = next;
  }

  function done(verified: boolean): SearchResult {
    const lowest = tried.reduce((a, b) => (b.quality < a.quality ? b : a));
    return { best, tried, encodes: tried.length, verified, sampleEncodes: 0, lowest };
  }
}

/** d ln(size)/dq from the measured points that bracket (or are nearest to) the answer, if two exist. */
function localSlope(
  tried: { quality: number; size: number }[],
  fits: number | undefined,
  tooBig: number | undefined,
): number | undefined {
  if (tried.length < 2) return undefined;
  let a: { quality: number; size: number } | undefined;
  let b: { quality: number; size: number } | undefined;
  if (fits !== undefined && tooBig !== undefined) {
    a = tried.find((t) => t.quality === fits);
    b = tried.find((t) => t.quality === tooBig);
  } else {
    // One side only: the two points nearest the budget side, if far enough apart to beat the noise.
    const sorted = [...tried].sort((x, y) =>
      fits !== undefined ? y.quality - x.quality : x.quality - y.quality,
    );
    [a, b] = sorted;
  }
  if (!a || !b || Math.abs(a.quality - b.quality) < MIN_SECANT_SPAN) return undefined;
  const s = Math.log(b.size / a.size) / (b.quality - a.quality);
  // A flat or inverted stretch (size is not strictly monotone) says nothing useful about the step.
  return s > 0.004 ? s : undefined;
}

function clamp(v: number, lo: number, hi: number) {
  return Math.max(lo, Math.min(hi, v));
}
