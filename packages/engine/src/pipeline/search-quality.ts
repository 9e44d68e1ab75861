import { slopeAt } from "../decide-scale";
import { TRELLIS_MIN_QUALITY } from "../options";
import { type SearchResult, searchQuality } from "../search";
import { searchSampled } from "../search-sampled";
import { type Attempt, encode, type FitState } from "./state";

/**
 * Step 3: the highest quality whose encode fits at this size, searched on the row sample with full
 * encodes to verify (search-sampled.ts), or on full encodes for small images (search.ts).
 */
export async function searchQualityStep(state: FitState, attempt: Attempt): Promise<SearchResult> {
  const { opts } = state;
  const common = {
    floor: opts.qualityFloor,
    ceiling: opts.qualityCeiling,
    maxBytes: opts.maxBytes,
    start: state.start,
    slope: slopeAt,
    stepDown: TRELLIS_MIN_QUALITY,
  };
  const { pixels, sample } = attempt;
  const encodeFull = (quality: number) => encode(state, pixels, { quality, chroma: state.chroma });
  const result = sample
    ? await searchSampled({
        ...common,
        encodeFull,
        encodeSample: (quality) =>
          encode(state, sample, { quality, chroma: state.chroma, measureOnly: true }),
        ratio: attempt.ratio,
        known: attempt.known,
      })
    : await searchQuality({ ...common, encode: encodeFull });
  state.counts.encodes += result.encodes;
  state.counts.sampleEncodes += result.sampleEncodes;
  return result;
}
