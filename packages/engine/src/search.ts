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
 * (up to 4.7 over 32 images at 2560 px). Without the try, the search stopped at q70-73 on four corpus
 * photos where q76-78 fit (docs/decisions/0003-trellis-step.md).
 */
export const STEP_WINDOW = 5;

/** Whether q is within STEP_WINDOW below a step down that the ceiling allows (so the step is worth a try). */
export function justBelowStep(q: number, stepDown: number | undefined, ceiling: number): stepDown is number {
  return stepDown !== undefined && q < stepDown && q >= stepDown - STEP_WINDOW && stepDown <= ceiling;
}

/** What the search knows so far: every point measured, the best verified encode, and the bracket. */
interface Bracket {
  tried: { quality: number; size: number }[];
  best: Encoded | undefined;
  /** The highest quality known to fit. */
  fits: number | undefined;
  /** The lowest quality known not to fit. */
  tooBig: number | undefined;
  /** How the try of the step went: "fits" (only the curve above it counts now), "over" (only below it). */
  step: "fits" | "over" | undefined;
}

/** Where the search stops, and whether best + 1 was encoded and did not fit (or best is the ceiling). */
interface Stop {
  verified: boolean;
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
  const b: Bracket = { tried: [], best: undefined, fits: undefined, tooBig: undefined, step: undefined };
  let q: number | Stop = clamp(Math.round(input.start), input.floor, input.ceiling);
  while (typeof q === "number") q = (await measure(input, b, q)) ?? nextQuality(input, b);
  const lowest = b.tried.reduce((x, y) => (y.quality < x.quality ? y : x));
  return {
    best: b.best,
    tried: b.tried,
    encodes: b.tried.length,
    verified: q.verified,
    sampleEncodes: 0,
    lowest,
  };
}

/**
 * Encode q; but about to try a quality just below the step, with the step untried, try the step
 * first. When it fits, nothing below it can be the answer and the encodes below it are saved; when it
 * does not, answer the quality to go back to below it.
 */
async function measure(input: SearchInput, b: Bracket, q: number): Promise<number | undefined> {
  const { stepDown, maxBytes } = input;
  const deferred = justBelowStep(q, stepDown, input.ceiling) && sizeOf(b, stepDown) === undefined;
  const at = deferred ? (stepDown as number) : q;
  const bytes = await input.encode(at);
  b.tried.push({ quality: at, size: bytes.length });
  if (bytes.length <= maxBytes) {
    if (!b.best || at > b.best.quality) b.best = { quality: at, bytes };
    if (b.fits === undefined || at > b.fits) b.fits = at;
  } else if (b.tooBig === undefined || at < b.tooBig) b.tooBig = at;
  if (!deferred) return undefined;
  if (bytes.length > maxBytes) {
    // Size only rises above the step, so the answer is below it: back to the deferred quality.
    b.step = "over";
    return clamp(q, (b.fits ?? input.floor - 1) + 1, at - 1);
  }
  // What was too big below the step may fit above it.
  b.step = "fits";
  if (b.tooBig !== undefined && b.tooBig < at) b.tooBig = undefined;
  return undefined;
}

/** The next quality to try: where the local line crosses the budget, inside the bracket; or stop. */
function nextQuality(input: SearchInput, b: Bracket): number | Stop {
  const { floor, ceiling, maxBytes } = input;
  const { fits, tooBig } = b;
  if (fits === ceiling) return { verified: true };
  if (tooBig === floor) return { verified: false };
  const { slope, overBelow } = curveSlope(input, b);
  if (fits !== undefined && tooBig !== undefined && tooBig - fits <= 1) return { verified: true };
  // Only fitting points: stop when the next step up is clearly over the budget.
  const fitsSize = fits === undefined ? undefined : (sizeOf(b, fits) as number);
  if (
    fitsSize !== undefined &&
    overBelow === undefined &&
    fitsSize * Math.exp(slope) > maxBytes * (1 + STOP_MARGIN)
  ) {
    return { verified: false };
  }
  const anchor = fits ?? (tooBig as number);
  const next = Math.floor(anchor + Math.log(maxBytes / (sizeOf(b, anchor) as number)) / slope);
  // Nothing fits yet and the curve puts the answer well under the floor: a smaller size is needed,
  // and encoding the floor first would only confirm it.
  if (fits === undefined && next < floor - GIVE_UP_BELOW) return { verified: false };
  return clamp(next, (fits ?? floor - 1) + 1, (tooBig ?? ceiling + 1) - 1);
}

/**
 * The slope to extrapolate with. Points across the step say nothing about the slope on either side of
 * it, and a step that was over bounds the answer without saying how far below it the curve crosses
 * the budget: below it, the curve below decides when to stop (`overBelow` leaves the step out).
 */
function curveSlope(input: SearchInput, b: Bracket): { slope: number; overBelow: number | undefined } {
  const { stepDown } = input;
  const { step, tried, fits, tooBig } = b;
  const curve =
    step === "fits"
      ? tried.filter((t) => t.quality >= (stepDown as number))
      : step === "over"
        ? tried.filter((t) => t.quality !== stepDown)
        : tried;
  const overBelow = step === "over" && tooBig === stepDown ? undefined : tooBig;
  const slope = localSlope(curve, fits, overBelow) ?? input.slope(fits ?? (tooBig as number));
  return { slope, overBelow };
}

function sizeOf(b: Bracket, q: number | undefined): number | undefined {
  return b.tried.find((t) => t.quality === q)?.size;
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
