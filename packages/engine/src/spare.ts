import type { Chroma } from "./encode";
import type { Prepared } from "./prepare";

/** One way to spend bytes an image does not need at the ceiling quality. */
export interface SpareCandidate {
  quality: number;
  chroma: Chroma;
}

export interface SpareResult {
  best: { quality: number; chroma: Chroma; bytes: Buffer } | undefined;
  /** Real (returnable) encodes made. */
  encodes: number;
  /** Upper-bound encodes made (encode.ts `upperBound`): cheap, counted apart. */
  boundEncodes: number;
  /** Candidates passed over on the row sample's word, with no full-size encode at all. */
  screenedOut: number;
}

/** The row sample errs by ~2.5 % (sample.ts): only a prediction this far over counts as "over". */
export const SCREEN_SLACK = 1.05;

/**
 * A cheap first opinion on a candidate (compress.ts asks the row sample): false means "clearly
 * over the budget", and the candidate is dropped before any full-size encode.
 */
export type Screen = (c: SpareCandidate) => Promise<boolean>;

/**
 * What to try, best first, when an image fits at the ceiling with bytes to spare. Full chroma first:
 * where bytes were spare, 4:4:4 beat 4:2:0 (README "Chroma"); then a quality above the ceiling,
 * because mozjpeg at 95 (trellis, its own tables) keeps visibly less than libjpeg at 95 on small
 * images that have room for more (skimage-camera-gray: SSIM 0.985 at 95, 0.994 at 98).
 */
export function spareCandidates(pixels: Prepared, ceiling: number, spareCeiling: number): SpareCandidate[] {
  const out: SpareCandidate[] = [];
  if (spareCeiling > ceiling) out.push({ quality: spareCeiling, chroma: "4:4:4" });
  // A grey JPEG has one component: there is no chroma to add.
  if (pixels.channels === 3) out.push({ quality: ceiling, chroma: "4:4:4" });
  return out;
}

/**
 * Try the candidates best first, each only when the screen (if any) lets it through and its
 * upper-bound encode fits (so the real encode almost surely fits, and one that does not costs only
 * the cheap encode): the first real encode that fits is the answer. One real encode in the usual case.
 */
export async function spendSpareBytes(
  candidates: SpareCandidate[],
  maxBytes: number,
  encode: (c: SpareCandidate, upperBound: boolean) => Promise<Buffer>,
  screen?: Screen,
): Promise<SpareResult> {
  let encodes = 0;
  let boundEncodes = 0;
  let screenedOut = 0;
  for (const c of candidates) {
    if (screen && !(await screen(c))) {
      screenedOut++;
      continue;
    }
    boundEncodes++;
    if ((await encode(c, true)).length > maxBytes) continue;
    encodes++;
    const bytes = await encode(c, false);
    if (bytes.length <= maxBytes) return { best: { ...c, bytes }, encodes, boundEncodes, screenedOut };
  }
  return { best: undefined, encodes, boundEncodes, screenedOut };
}
