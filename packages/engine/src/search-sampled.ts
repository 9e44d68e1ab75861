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
 * tables make some steps 10-25 % and others ~1 %; bench/studies/next-step-study.ts: |error| median
 * 0.08 % for steps under 3 %, 1.3 % and up to 4.5 % for steps over 12 %, nearly always towards more
 * bytes): the margin is at least this fraction of the step (gnome-adwaita's 89 -> 90, a 26 % step
 * predicted 2.6 % under the budget, was 2 % over at a cost of 530 ms).
 */
export const STEP_MARGIN = 0.2;

export type SampledSearchResult = SearchResult;

/**
 * The quality search run on the row sample (sample.ts), with full encodes only to verify: search the
 * sample against the budget divided by the full/sample size factor, encode the full image at the
 * answer, correct the factor from the two sizes, and repeat until the full encode that fits is the
 * highest quality the (corrected) sample curve allows. Only full encodes are ever returned.
 */
export async function searchSampled(input: SampledSearchInput): Promise<SampledSearchResult> {
  const { maxBytes } = input;
  const sampleSizes = new Map<number, number>((input.known ?? []).map((k) => [k.quality, k.size]));
  let sampleEncodes = 0;
  const encodeSample = async (q: number) => {
    const b = await input.encodeSample(q);
    sampleEncodes++;
    sampleSizes.set(q, b.length);
    return b;
  };
  const cachedSample = async (q: number) => {
    const s = sampleSizes.get(q);
    return s === undefined ? encodeSample(q) : Buffer.alloc(s);
  };
  const tried: { quality: number; size: number }[] = [];
  let best: Encoded | undefined;
  let factor = input.ratio;
  let floor = input.floor;
  let ceiling = input.ceiling;
  let start = input.start;
  let verified = false;
  const stepDown = input.stepDown;
  // q fits just below a step down of the size curve, which this round's ceiling allows.
  const nearStep = (q: number) => justBelowStep(q, stepDown, ceiling);
  // The corrected curve puts q + 1 over the budget, by a margin that grows with the step to it.
  const nextOver = async (q: number) => {
    const next = sampleSizes.get(q + 1) ?? (await encodeSample(q + 1)).length;
    const step = Math.log(next / (sampleSizes.get(q) as number));
    return next * factor > maxBytes * (1 - Math.max(NEXT_MARGIN, STEP_MARGIN * step));
  };
  const stepMayFit = async (q: number) =>
    nearStep(q) && (await cachedSample(stepDown as number)).length * factor <= maxBytes * (1 - NEXT_MARGIN);
  for (let round = 0; round < 6; round++) {
    const r = await searchQuality({
      ...input,
      encode: cachedSample,
      floor,
      ceiling,
      start,
      maxBytes: Math.floor((maxBytes * (tried.length === 0 ? 1 - FIRST_AIM : 1)) / factor),
    });
    // Nothing fits on the sample's curve: the caller downscales. Except in the first round when only
    // FIRST_AIM put the floor over: predicted within the budget itself, it may well fit, and one full
    // encode there costs less than a resize and a new search (plasma-patak-5120: 3238 px at q41
    // instead of a shrink to 2809 px).
    const floorSample = sampleSizes.get(floor);
    const floorMayFit = tried.length === 0 && floorSample !== undefined && floorSample * factor <= maxBytes;
    if (!r.best && !floorMayFit) break;
    const q = r.best ? r.best.quality : floor;
    // The sample at q + 1 decides whether q + 1 is worth a full encode once q fits: start it beside
    // the full encode (another libuv thread, another core) rather than after it. Wasted only when q
    // misses, and then it costs an eighth of an encode.
    const encoding = input.encodeFull(q);
    // (A quality encoded in full was chosen on the sample, so its sample size is always known.)
    const ahead = q < ceiling && !sampleSizes.has(q + 1) ? encodeSample(q + 1) : undefined;
    // Just below a step down, the step's sample may decide too (below).
    const aheadStep =
      nearStep(q) && q + 1 !== stepDown && !sampleSizes.has(stepDown as number)
        ? encodeSample(stepDown as number)
        : undefined;
    const [full] = await Promise.all([encoding, ahead, aheadStep]);
    tried.push({ quality: q, size: full.length });
    factor = full.length / (sampleSizes.get(q) as number);
    if (full.length <= maxBytes) {
      if (!best || q > best.quality) best = { quality: q, bytes: full };
      if (q >= ceiling) {
        verified = true;
        break;
      }
      // Is q + 1 over the budget, in full or on the corrected curve? Then stop; else search above q.
      const overAbove = tried.some((t) => t.quality === q + 1 && t.size > maxBytes);
      if (overAbove || (await nextOver(q))) {
        verified = overAbove;
        // ...unless the curve steps down above q and the step may fit: search from the step.
        if (!(await stepMayFit(q))) break;
        floor = stepDown as number;
        start = floor;
        continue;
      }
      floor = q + 1;
      start = q + 1;
    } else {
      if (q <= floor) break; // even the floor is over: the caller downscales
      ceiling = q - 1;
      start = q - 1;
    }
  }
  // The lowest quality measured, in full-size bytes (estimated from the sample if never encoded full).
  const lowQ = Math.min(...sampleSizes.keys(), ...tried.map((t) => t.quality));
  const lowest = tried.find((t) => t.quality === lowQ) ?? {
    quality: lowQ,
    size: Math.round((sampleSizes.get(lowQ) as number) * factor),
  };
  return { best, tried, encodes: tried.length, verified, sampleEncodes, lowest };
}
