import type { Encoded } from "../search";
import { type Screen, type SizePoint, screenVerdict, spareCandidates, spendSpareBytes } from "../spare";
import { type Answer, type Attempt, encode, encodedAnswer, type FitState, measureSample } from "./state";

/**
 * Step 4a, before any search: an image predicted to fit at the ceiling usually has bytes to spare, so
 * the usual answer costs one real encode instead of a search and a second try. With a row sample, ask
 * it first whether the ceiling fits at all (the start extrapolates one encode at TARGET_QUALITY over
 * 30 quality steps, and errs most there); the search reuses that sample encode. `tried`: the spare
 * candidates were walked (the search's answer at the ceiling then needs no second walk).
 */
export async function spareAtCeiling(
  state: FitState,
  attempt: Attempt,
): Promise<{ tried: boolean; answer?: Answer }> {
  const { opts } = state;
  if (state.start < opts.qualityCeiling) return { tried: false };
  const atCeiling: SizePoint[] = [];
  if (attempt.sample) {
    const quality = opts.qualityCeiling;
    const size = (await measureSample(state, attempt.sample, { quality, chroma: state.chroma })).length;
    attempt.known.push({ quality, size });
    if (screenVerdict(size * attempt.ratio, opts.maxBytes) === "over") return { tried: false };
    atCeiling.push({ quality, chroma: state.chroma, size: size * attempt.ratio });
  }
  return { tried: true, answer: await spend(state, attempt, atCeiling) };
}

/** Step 4b: the search's answer is the ceiling with bytes left: spend them (full chroma, then a higher quality). */
export async function spareAfterSearch(
  state: FitState,
  attempt: Attempt,
  best: Encoded,
): Promise<Answer | undefined> {
  if (best.quality < state.opts.qualityCeiling) return undefined;
  return spend(state, attempt, [{ quality: best.quality, chroma: state.chroma, size: best.bytes.length }]);
}

/**
 * Walk the spare candidates (spare.ts). A candidate's full-size upper-bound encode costs 70-280 ms; its
 * sample's measure-only encode, a fraction of that, predicts the real encode to ~2.5 %: the sample
 * screens first. `measured`: full-size bytes already known for candidates.
 */
async function spend(state: FitState, attempt: Attempt, measured: SizePoint[]): Promise<Answer | undefined> {
  const { opts } = state;
  const { pixels, sample } = attempt;
  const screen: Screen | undefined = sample
    ? async (c) => (await measureSample(state, sample, c)).length * attempt.ratio
    : undefined;
  const r = await spendSpareBytes(
    spareCandidates(pixels, opts.qualityCeiling, opts.spareCeiling),
    opts.maxBytes,
    (c, upperBound) => encode(state, pixels, { ...c, upperBound }),
    screen,
    measured,
  );
  state.counts.encodes += r.encodes;
  state.counts.boundEncodes += r.boundEncodes;
  if (!r.best) return undefined;
  state.chroma = r.best.chroma;
  return encodedAnswer(state, attempt, r.best, true);
}
