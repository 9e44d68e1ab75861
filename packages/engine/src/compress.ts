import { throwIfAborted } from "./abort";
import { type CompressOptions, resolveOptions } from "./options";
import { planFirstSize, shrinkAfterFloorMiss, sizeAttempt } from "./pipeline/decide-scale";
import { decodeStep, passThroughStep, probeSource } from "./pipeline/prepare";
import { searchQualityStep } from "./pipeline/search-quality";
import { spareAfterSearch, spareAtCeiling } from "./pipeline/spend-spare";
import { type Answer, encodedAnswer, type FitState } from "./pipeline/state";
import { verify } from "./pipeline/verify";
import type { CompressResult } from "./result";

export type { CompressResult } from "./result";

/**
 * Image bytes in, a JPEG within the budget out: prepare (probe, pass through, decode) → decide the
 * scale → search the quality → spend spare bytes → verify at the exit. Each step is a file in
 * pipeline/ over one state (pipeline/state.ts); the caller's signal is checked before every decode,
 * resize and encode, so an aborted call stops after at most one more encode.
 */
export async function compress(input: Buffer, options?: CompressOptions): Promise<CompressResult> {
  const opts = resolveOptions(options);
  throwIfAborted(opts.signal);
  const state = await probeSource(input, opts);
  const answer = (await passThroughStep(state)) ?? (await fit(await decodeStep(state)));
  return verify(state, answer);
}

/** Steps 2-4, size after size: a size where even the floor quality misses shrinks and goes again. */
async function fit(state: FitState): Promise<Answer> {
  await planFirstSize(state);
  for (;;) {
    const attempt = await sizeAttempt(state);
    const atCeiling = await spareAtCeiling(state, attempt);
    if (atCeiling.answer) return atCeiling.answer;
    const { best, verified, lowest } = await searchQualityStep(state, attempt);
    if (best) {
      const spent = atCeiling.tried ? undefined : await spareAfterSearch(state, attempt, best);
      return spent ?? encodedAnswer(state, attempt, best, verified);
    }
    shrinkAfterFloorMiss(state, lowest);
  }
}
