import type { Chroma } from "./encode";
import type { Prepared } from "./prepare";

/** One way to spend bytes an image does not need at the ceiling quality. */
export interface SpareCandidate {
  quality: number;
  chroma: Chroma;
}

/** A size known or estimated for a candidate: real, upper-bound or sample-predicted bytes. */
export interface SizePoint extends SpareCandidate {
  size: number;
}

export interface SpareResult {
  best: { quality: number; chroma: Chroma; bytes: Buffer } | undefined;
  /** Real (returnable) encodes made. */
  encodes: number;
  /** Upper-bound encodes made (encode.ts `upperBound`): cheap, counted apart. */
  boundEncodes: number;
  /** Candidates passed over on the row sample's word, with no full-size encode at all. */
  screenedOut: number;
  /** Candidates passed over because a measured neighbour already puts them over the budget. */
  predictedOut: number;
}

/** The row sample errs by ~2.5 % (sample.ts): only a prediction this far over counts as "over". */
export const SCREEN_SLACK = 1.05;
/**
 * A real encode the row sample predicts this far under the budget is made at once, with no full-size
 * upper bound first (it is measured before it is returned, as always): the sample errs by ~2.5 %
 * (sample.ts), while an upper bound can be 4-60 % over the real encode and would turn down candidates
 * that fit (a flat graphic: 168 KB bound, 104 KB real encode at 4:4:4 q95).
 */
export const SCREEN_SURE = 0.97;
/**
 * An upper-bound encode is never smaller than the real one, and at qualities 95-100 the real encode
 * was 0.50-0.97 of it over the corpus: a bound at most this far over the budget may hide a real encode
 * that fits, so the real encode decides (bounds 1.014 and 1.036 of the budget over real encodes of
 * 0.974 and 0.977 on two small images).
 */
export const BOUND_SLACK = 1.05;
/**
 * With bytes to spare, 4:4:4 at quality q looks about as good as 4:2:0 at q + 2 (SSIM on Y, Cb, Cr,
 * docs/decisions/0001-chroma-rule.md): one small photo scores 0.9905 at 4:4:4 q97 against 0.9903 at
 * 4:2:0 q99. butteraugli and SSIMULACRA pull one image each way, so the gap stays at 2.
 */
export const CHROMA_GAP = 2;
/**
 * ln(bytes) per quality step at 95-100 ranges 0.11-0.22 (research/src/spare-study.ts). A neighbour's size predicts
 * a candidate's with the flattest slope upwards and the steepest downwards, so a prediction errs
 * towards "may fit": a wrong skip costs quality, a wrong try only a cheap upper-bound encode.
 */
const SLOPE_UP = 0.11;
const SLOPE_DOWN = 0.22;
/**
 * Above quality 50 libjpeg scales its quant tables by 200 - 2q, so each step up removes a larger share
 * of the quantisation than the one before, and bytes tend to grow faster per step as quality rises: a
 * slope measured between two lower qualities is, rounding of the tables aside, at most the slope above
 * them. Predicting upwards with it (less this, for the sample's ~2.5 % error over one step) still errs
 * towards "may fit". A flat graphic makes it count: it can grow ~0.6 per step from 95 to 96, five
 * times SLOPE_UP.
 */
const MEASURED_SLOPE_NOISE = 0.03;

/**
 * A cheap first opinion on a candidate (compress.ts asks the row sample): its predicted full-size
 * bytes. screenVerdict turns that into "over" (dropped before any full-size encode), "under" (the
 * real encode at once) or "near" (the full-size upper bound decides).
 */
export type Screen = (c: SpareCandidate) => Promise<number>;

/** The screen's verdict from a candidate's predicted full-size bytes. */
export function screenVerdict(predicted: number, maxBytes: number): "over" | "near" | "under" {
  if (predicted > maxBytes * SCREEN_SLACK) return "over";
  return predicted <= maxBytes * SCREEN_SURE ? "under" : "near";
}

/**
 * What to try, best first, when an image fits at the ceiling with bytes to spare: every quality from
 * the spare ceiling down to the ceiling, in 4:4:4 (at the same quality it beats 4:2:0 where bytes are
 * spare, docs/decisions/0001-chroma-rule.md) and in 4:2:0 above the ceiling (4:2:0 at the ceiling is what the search
 * already has), ranked by CHROMA_GAP. Mozjpeg at 95 (trellis, its own tables) keeps visibly less
 * than libjpeg at 95, and an image with room for 100 should get it (a grey photo: SSIM 0.985 at 95,
 * 0.999 at 100). A grey JPEG has one component: only its quality can rise.
 */
export function spareCandidates(pixels: Prepared, ceiling: number, spareCeiling: number): SpareCandidate[] {
  const out: (SpareCandidate & { rank: number })[] = [];
  for (let quality = spareCeiling; quality >= ceiling; quality--) {
    if (pixels.channels === 1) {
      if (quality > ceiling) out.push({ quality, chroma: "4:4:4", rank: quality });
      continue;
    }
    // Ties go to 4:2:0 at q + CHROMA_GAP: the same SSIM over Y, Cb and Cr, and more of the luma the eye
    // resolves (one small photo: 4:4:4 q97 0.9905 vs 4:2:0 q99 0.9903 overall, luma 0.9906 vs 0.9969).
    out.push({ quality, chroma: "4:4:4", rank: quality + CHROMA_GAP - 0.5 });
    if (quality > ceiling) out.push({ quality, chroma: "4:2:0", rank: quality });
  }
  return out.sort((a, b) => b.rank - a.rank).map(({ quality, chroma }) => ({ quality, chroma }));
}

/**
 * A candidate's bytes as measured neighbours predict them, or undefined when nothing measured tells:
 * in ln(bytes), between the neighbours below (the same chroma, or 4:2:0 for 4:4:4: full chroma never
 * makes fewer bytes) and above (the same chroma) when both exist, else from the one side with its
 * slope. A flat graphic can grow 0.4 per step at 95-100, so a slope alone says little from above.
 */
export function predictSize(points: SizePoint[], c: SpareCandidate): number | undefined {
  let below: { quality: number; size: number; estimate: number } | undefined;
  let above: SizePoint | undefined;
  for (const p of points) {
    const sameChroma = p.chroma === c.chroma;
    if (p.quality <= c.quality && (sameChroma || c.chroma === "4:4:4")) {
      const slope = Math.max(SLOPE_UP, measuredSlopeInto(points, p) - MEASURED_SLOPE_NOISE);
      const estimate = p.size * Math.exp((c.quality - p.quality) * slope);
      if (!below || estimate > below.estimate) below = { ...p, estimate };
    } else if (sameChroma && p.quality > c.quality && (!above || p.quality < above.quality)) {
      above = p;
    }
  }
  if (below && above) {
    const t = (c.quality - below.quality) / (above.quality - below.quality);
    return below.size * (above.size / below.size) ** t;
  }
  if (below) return below.estimate;
  return above && above.size * Math.exp((c.quality - above.quality) * SLOPE_DOWN);
}

/** ln(bytes) per quality step from the nearest lower point of p's chroma up to p (0 when none). */
function measuredSlopeInto(points: SizePoint[], p: SizePoint): number {
  let lower: SizePoint | undefined;
  for (const o of points) {
    if (o.chroma === p.chroma && o.quality < p.quality && (!lower || o.quality > lower.quality)) lower = o;
  }
  return lower ? Math.log(p.size / lower.size) / (p.quality - lower.quality) : 0;
}

/**
 * Walk the candidates best first. One that a measured neighbour already puts over the budget is
 * passed over; the screen (if any) drops one it puts clearly over; an upper-bound encode (3-8x
 * cheaper) must come within BOUND_SLACK of the budget before the real encode is made, unless the
 * screen put the candidate clearly under.
 * The first real encode that fits is the answer: usually the only real encode.
 */
export async function spendSpareBytes(
  candidates: SpareCandidate[],
  maxBytes: number,
  encode: (c: SpareCandidate, upperBound: boolean) => Promise<Buffer>,
  screen?: Screen,
  known: SizePoint[] = [],
): Promise<SpareResult> {
  const points = [...known];
  const r: SpareResult = { best: undefined, encodes: 0, boundEncodes: 0, screenedOut: 0, predictedOut: 0 };
  const screened = new Map<SpareCandidate, number>();
  const screenOnce = async (c: SpareCandidate) => {
    const size = screened.get(c) ?? (await (screen as Screen)(c));
    screened.set(c, size);
    return size;
  };
  // The lowest rung above the ceiling (4:2:0, or grey), screened first: one cheap encode that
  // measures the slope above the ceiling, so that a steep image's expensive high-quality screens are
  // predicted out instead (on a flat graphic, ~120 ms of screening instead of 357 ms).
  const rung = candidates.findLast((c) => c.chroma === "4:2:0") ?? candidates.at(-1);
  if (screen && rung && rung !== candidates[0]) points.push({ ...rung, size: await screenOnce(rung) });
  for (const c of candidates) {
    const predicted = predictSize(points, c);
    if (predicted !== undefined && predicted > maxBytes * SCREEN_SLACK) {
      r.predictedOut++;
      continue;
    }
    let verdict: "over" | "near" | "under" = "near";
    if (screen) {
      const size = await screenOnce(c);
      verdict = screenVerdict(size, maxBytes);
      if (verdict === "over") {
        points.push({ ...c, size });
        r.screenedOut++;
        continue;
      }
    }
    if (verdict === "near") {
      r.boundEncodes++;
      const size = (await encode(c, true)).length;
      // A bound is kept only for a candidate passed over; otherwise its real size, measured next, is.
      if (size > maxBytes * BOUND_SLACK) {
        points.push({ ...c, size });
        continue;
      }
    }
    r.encodes++;
    const bytes = await encode(c, false);
    points.push({ ...c, size: bytes.length });
    if (bytes.length <= maxBytes) return { ...r, best: { ...c, bytes } };
  }
  return r;
}
