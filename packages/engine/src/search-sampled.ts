import { type Encoded, justBelowStep, type SearchInput, type SearchResult, searchQuality } from "./search";

export interface SampledSearchInput extends Omit<SearchInput, "encode"> {
  /** Encode the full image (verifies). */
  encodeFull: (quality: number) => Promise<Buffer>;
  /** Encode the row sample (predicts). */
  encodeSample: (quality: number) => Promise<Buffer>;
  /** The first guess of full bytes / sample bytes (pixel ratio x SAMPLE_FACTOR). */
  ratio: number;
  /** Sample sizes already measured (by the scale decision), so they are not encoded again. */
  known?: { quality: number; size: number }[];
}

/**
 * Until a full encode has measured the factor, aim this far under the budget: the guess errs by
 * ~2.5 % either way, and a first full encode that fits needs no second one more often than one
 * aimed at the budget itself (simulated on the corpus: 1.30 vs 1.35 full encodes per image).
 */
export const FIRST_AIM = 0.01;
/**
 * Once a full encode has calibrated the factor, the sample predicts a neighbour's full size to ~1 %:
 * encode q + 1 in full only when it is predicted this far under the budget, since a coin-flip
 * full encode costs as much as the whole sampled search.
 */
export const NEXT_MARGIN = 0.005;
/**
 * ...and the prediction errs more the larger the step from q to q + 1 (libjpeg's rounded quant
 * tables make some steps 10-25 % and others ~1 %; docs/decisions/0013-next-step-margin.md: |error| median
 * 0.08 % for steps under 3 %, 1.3 % and up to 4.5 % for steps over 12 %, nearly always towards more
 * bytes): the margin is at least this fraction of the step (a 26 % step predicted 2.6 % under the
 * budget came out 2 % over, a 530 ms encode for nothing).
 */
export const STEP_MARGIN = 0.2;

export type SampledSearchResult = SearchResult;

/** Rounds of sample search and full verification at most (the corpus needs one or two). */
const MAX_ROUNDS = 6;

/** What the sampled search knows: sample sizes by quality, the full encodes, and this round's window. */
interface SampledSearch {
  readonly input: SampledSearchInput;
  readonly sampleSizes: Map<number, number>;
  sampleEncodes: number;
  readonly tried: { quality: number; size: number }[];
  best: Encoded | undefined;
  /** Full bytes over sample bytes, corrected by every full encode. */
  factor: number;
  floor: number;
  ceiling: number;
  start: number;
  verified: boolean;
}

/**
 * The quality search run on the row sample (sample.ts), with full encodes only to verify: search the
 * sample against the budget divided by the full/sample size factor, encode the full image at the
 * answer, correct the factor from the two sizes, and repeat until the full encode that fits is the
 * highest quality the (corrected) sample curve allows. Only full encodes are ever returned.
 */
export async function searchSampled(input: SampledSearchInput): Promise<SampledSearchResult> {
  const s: SampledSearch = {
    input,
    sampleSizes: new Map((input.known ?? []).map((k) => [k.quality, k.size])),
    sampleEncodes: 0,
    tried: [],
    best: undefined,
    factor: input.ratio,
    floor: input.floor,
    ceiling: input.ceiling,
    start: input.start,
    verified: false,
  };
  for (let round = 0; round < MAX_ROUNDS; round++) if (!(await searchRound(s))) break;
  return resultOf(s);
}

/** One round: search the sample in the window, encode its answer in full, narrow the window. False: done. */
async function searchRound(s: SampledSearch): Promise<boolean> {
  const q = await sampleAnswer(s);
  if (q === undefined) return false; // nothing fits on the sample's curve: the caller downscales
  const full = await encodeInFull(s, q);
  if (full.length <= s.input.maxBytes) return afterFit(s, q, full);
  if (q <= s.floor) return false; // even the floor is over: the caller downscales
  s.ceiling = q - 1;
  s.start = q - 1;
  return true;
}

/** The quality the sample's curve answers in this round's window, or undefined when none fits. */
async function sampleAnswer(s: SampledSearch): Promise<number | undefined> {
  const { input } = s;
  const first = s.tried.length === 0;
  const r = await searchQuality({
    ...input,
    encode: (q) => cachedSample(s, q),
    floor: s.floor,
    ceiling: s.ceiling,
    start: s.start,
    maxBytes: Math.floor((input.maxBytes * (first ? 1 - FIRST_AIM : 1)) / s.factor),
  });
  if (r.best) return r.best.quality;
  // In the first round, when only FIRST_AIM put the floor over: predicted within the budget itself, it
  // may well fit, and one full encode there costs less than a resize and a new search.
  const floorSample = s.sampleSizes.get(s.floor);
  return first && floorSample !== undefined && floorSample * s.factor <= input.maxBytes ? s.floor : undefined;
}

/**
 * Encode q in full and correct the factor. The sample at q + 1 decides whether q + 1 is worth a full
 * encode once q fits: start it beside the full encode (another libuv thread, another core) rather than
 * after it; wasted only when q misses, and then it costs an eighth of an encode. Just below a step
 * down, the step's sample may decide too (stepMayFit). A quality encoded in full was chosen on the
 * sample, so its sample size is always known.
 */
async function encodeInFull(s: SampledSearch, q: number): Promise<Buffer> {
  const { input, sampleSizes } = s;
  const stepDown = input.stepDown as number;
  const encoding = input.encodeFull(q);
  const ahead = q < s.ceiling && !sampleSizes.has(q + 1) ? encodeSample(s, q + 1) : undefined;
  const aheadStep =
    nearStep(s, q) && q + 1 !== stepDown && !sampleSizes.has(stepDown)
      ? encodeSample(s, stepDown)
      : undefined;
  const [full] = await Promise.all([encoding, ahead, aheadStep]);
  s.tried.push({ quality: q, size: full.length });
  s.factor = full.length / (sampleSizes.get(q) as number);
  return full;
}

/** q fitted in full: is q + 1 over the budget, in full or on the corrected curve? Then stop; else search above q. */
async function afterFit(s: SampledSearch, q: number, full: Buffer): Promise<boolean> {
  if (!s.best || q > s.best.quality) s.best = { quality: q, bytes: full };
  if (q >= s.ceiling) {
    s.verified = true;
    return false;
  }
  const overAbove = s.tried.some((t) => t.quality === q + 1 && t.size > s.input.maxBytes);
  if (overAbove || (await nextOver(s, q))) {
    s.verified = overAbove;
    // ...unless the curve steps down above q and the step may fit: search from the step.
    if (!(await stepMayFit(s, q))) return false;
    s.floor = s.input.stepDown as number;
    s.start = s.floor;
    return true;
  }
  s.floor = q + 1;
  s.start = q + 1;
  return true;
}

async function encodeSample(s: SampledSearch, q: number): Promise<Buffer> {
  const b = await s.input.encodeSample(q);
  s.sampleEncodes++;
  s.sampleSizes.set(q, b.length);
  return b;
}

async function cachedSample(s: SampledSearch, q: number): Promise<Buffer> {
  const size = s.sampleSizes.get(q);
  return size === undefined ? encodeSample(s, q) : Buffer.alloc(size);
}

/** q fits just below a step down of the size curve, which this round's ceiling allows. */
function nearStep(s: SampledSearch, q: number): boolean {
  return justBelowStep(q, s.input.stepDown, s.ceiling);
}

/** The corrected curve puts q + 1 over the budget, by a margin that grows with the step to it. */
async function nextOver(s: SampledSearch, q: number): Promise<boolean> {
  const next = s.sampleSizes.get(q + 1) ?? (await encodeSample(s, q + 1)).length;
  const step = Math.log(next / (s.sampleSizes.get(q) as number));
  return next * s.factor > s.input.maxBytes * (1 - Math.max(NEXT_MARGIN, STEP_MARGIN * step));
}

async function stepMayFit(s: SampledSearch, q: number): Promise<boolean> {
  if (!nearStep(s, q)) return false;
  const stepSize = (await cachedSample(s, s.input.stepDown as number)).length;
  return stepSize * s.factor <= s.input.maxBytes * (1 - NEXT_MARGIN);
}

/** The lowest quality measured, in full-size bytes (estimated from the sample if never encoded full). */
function resultOf(s: SampledSearch): SampledSearchResult {
  const lowQ = Math.min(...s.sampleSizes.keys(), ...s.tried.map((t) => t.quality));
  const lowest = s.tried.find((t) => t.quality === lowQ) ?? {
    quality: lowQ,
    size: Math.round((s.sampleSizes.get(lowQ) as number) * s.factor),
  };
  const { best, tried, verified, sampleEncodes } = s;
  return { best, tried, encodes: tried.length, verified, sampleEncodes, lowest };
}
