import { BETA, slopeAt, TARGET_QUALITY } from "./decide-scale";

/**
 * The scale decision from one sample encode at TARGET_QUALITY of the pixels at hand (cheaper than a
 * separate preview, and the encode is reused by the search). `predicted` is that encode scaled to
 * full-image bytes. Answers: keep this size, or resize to `fraction` of its pixels.
 *
 * - At the decoded size: keep it while the floor is predicted to fit (SSIM at the original
 *   resolution prefers pixels down to qualities of 20-50, docs/decisions/0005-scale-rule.md); else
 *   shrink to where TARGET_QUALITY is predicted to fit.
 * - At a downscaled size, once: if the answer would land well above TARGET_QUALITY, the size model
 *   (bytes ~ pixels^BETA, which errs by 15 % either way) shrank too far — grow back towards the size
 *   where TARGET_QUALITY fits (capped at the decoded size by the caller).
 */
export type ScaleCheck = { keep: true; start: number } | { keep: false; fraction: number };

/** Grow back when the target quality is predicted to fit with this much room (~5 quality steps). */
export const GROW_BELOW = Math.exp(-5 * slopeAt(TARGET_QUALITY));
/** Aim growth and shrinkage this far under the budget: the search spends what is left. */
const AIM = 0.97;

export function checkScale(
  predicted: number,
  maxBytes: number,
  floor: number,
  ceiling: number,
  atDecodedSize: boolean,
  mayGrow: boolean,
): ScaleCheck {
  const q = Math.min(TARGET_QUALITY, ceiling);
  const start = Math.min(ceiling, Math.floor(q + Math.log(maxBytes / predicted) / slopeAt(q)));
  const floorFits = predicted * Math.exp(-slopeAt(floor) * (q - floor)) <= maxBytes;
  if (atDecodedSize) {
    if (floorFits) return { keep: true, start: Math.max(floor, start) };
    return { keep: false, fraction: ((maxBytes * AIM) / predicted) ** (1 / BETA) };
  }
  if (mayGrow && predicted < maxBytes * GROW_BELOW) {
    return { keep: false, fraction: ((maxBytes * AIM) / predicted) ** (1 / BETA) };
  }
  return { keep: true, start: Math.max(floor, start) };
}
