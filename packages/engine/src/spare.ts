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
 * A sample upper bound this far under the budget needs no full-size upper bound: the sample's
 * factor ranges 0.91-1.01 over the corpus (sample.ts), and the real encode is smaller still than the
 * upper bound, so the real encode is made at once (and, as always, measured before it is returned).
 * mate-gulp.png and mate-arc-transparent.png land at 56 % and 8 % of the budget.
 */
export const SCREEN_SURE = 0.85;

/**
 * A cheap first opinion on a candidate (compress.ts asks the row sample): "over" (clearly over the
 * budget: dropped before any full-size encode), "under" (clearly under: the real encode at once) or
 * "near" (the full-size upper bound decides).
 */
export type Screen = (c: SpareCandidate) => Promise<"over" | "near" | "under">;

/** The screen's verdict from a predicted full-size upper bound. */
export function screenVerdict(predicted: number, maxBytes: number): "over" | "near" | "under" {
  if (predicted > maxBytes * SCREEN_SLACK) return "over";
  return predicted <= maxBytes * SCREEN_SURE ? "under" : "near";
}

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
 * the cheap encode; a candidate the screen puts clearly under needs no upper bound): the first real
 * encode that fits is the answer. One real encode in the usual case.
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
    const verdict = screen ? await screen(c) : "near";
    if (verdict === "over") {
      screenedOut++;
      continue;
    }
    if (verdict === "near") {
      boundEncodes++;
      if ((await encode(c, true)).length > maxBytes) continue;
    }
    encodes++;
    const bytes = await encode(c, false);
    if (bytes.length <= maxBytes) return { best: { ...c, bytes }, encodes, boundEncodes, screenedOut };
  }
  return { best: undefined, encodes, boundEncodes, screenedOut };
}
