import { throwIfAborted } from "./abort";
import { initialChroma } from "./chroma";
import {
  BETA,
  FLOOR_MISS_HEADROOM,
  maxUsefulPixels,
  planScale,
  slopeAt,
  TARGET_QUALITY,
} from "./decide-scale";
import { type Chroma, type EncodeSettings, encodeJpeg } from "./encode";
import { EngineError } from "./errors";
import { fitInside, fitPixels, type Size, scaleSize } from "./geometry";
import { type CompressOptions, MIN_SIDE, resolveOptions, TRELLIS_MIN_QUALITY } from "./options";
import { passThrough } from "./passthrough";
import { decodeSource, type Prepared, resizePixels } from "./prepare";
import { probe, type SourceInfo } from "./probe";
import { canSample, SAMPLE_FACTOR, SAMPLE_FACTOR_RESIZED, sampleRows } from "./sample";
import { checkScale } from "./scale-check";
import { type SearchResult, searchQuality } from "./search";
import { searchSampled } from "./search-sampled";
import {
  type Screen,
  type SizePoint,
  type SpareResult,
  screenVerdict,
  spareCandidates,
  spendSpareBytes,
} from "./spare";

export interface CompressResult {
  jpeg: Buffer;
  width: number;
  height: number;
  /** The JPEG quality used; null when the source was stored as it was. */
  quality: number | null;
  /** Full-size JPEG encodes made, including the 4:4:4 try (0 for a pass-through). */
  encodes: number;
  /** Encodes of the small preview that sized the output (0 or 1): cheap, counted apart. */
  previewEncodes: number;
  /** Encodes of the eighth-size row sample that steered the search (see sample.ts). */
  sampleEncodes: number;
  /** Cheap upper-bound encodes that vetted a spare-bytes encode (spare.ts). */
  boundEncodes: number;
  /** True when quality + 1 was encoded and did not fit (false: the size curve said it would not). */
  searchVerified: boolean;
  chroma: Chroma;
  /** Output long side over source long side (1 = not downscaled). */
  scale: number;
  passthrough: boolean;
  source: SourceInfo;
  timings: { probeMs: number; prepareMs: number; encodeMs: number; totalMs: number };
}

/** A downscale forced by a miss shrinks the sides by at least this, so the loop always ends. */
const MIN_SHRINK = 0.97;
/** Aim a little under the estimate after a miss: the search spends what is left. */
const SHRINK_MARGIN = 0.97;

/** The display size scaled so its long side is `long` px: every size derives from the display size in one rounding. */
function withLongSide(display: Size, long: number): Size {
  return scaleSize(display, long / Math.max(display.width, display.height));
}

function smallerOf(a: Size, b: Size): Size {
  return Math.max(a.width, a.height) <= Math.max(b.width, b.height) ? a : b;
}

export async function compress(input: Buffer, options?: CompressOptions): Promise<CompressResult> {
  const opts = resolveOptions(options);
  const { signal } = opts;
  throwIfAborted(signal);
  const started = performance.now();
  const source = await probe(input, opts.limitInputPixels);
  const probeMs = performance.now() - started;
  const display: Size = { width: source.displayWidth, height: source.displayHeight };

  throwIfAborted(signal);
  const stored = await passThrough(input, source, opts);
  if (stored) {
    return {
      jpeg: stored,
      width: source.width,
      height: source.height,
      quality: null,
      encodes: 0,
      previewEncodes: 0,
      sampleEncodes: 0,
      boundEncodes: 0,
      searchVerified: true,
      chroma: "4:2:0",
      scale: 1,
      passthrough: true,
      source,
      timings: { probeMs, prepareMs: 0, encodeMs: 0, totalMs: performance.now() - started },
    };
  }

  let prepareMs = 0;
  let encodeMs = 0;
  // Every decode, resize and encode goes through here, so each first checks the caller's signal.
  const timed = async <T>(kind: "prepare" | "encode", work: () => Promise<T>): Promise<T> => {
    throwIfAborted(signal);
    const t = performance.now();
    try {
      return await work();
    } finally {
      if (kind === "prepare") prepareMs += performance.now() - t;
      else encodeMs += performance.now() - t;
    }
  };

  // Decode once, never more pixels than the caller's box, the output pixel cap or the budget can use.
  const box = fitInside(display, opts.maxWidth, opts.maxHeight);
  const cap = Math.sqrt(maxUsefulPixels(opts.maxBytes) / (box.width * box.height));
  const useful = cap < 1 ? withLongSide(display, Math.max(box.width, box.height) * cap) : box;
  const work = smallerOf(useful, fitPixels(display, opts.maxOutputPixels));
  const decoded = await timed("prepare", () => decodeSource(input, source, work, opts.limitInputPixels));
  let chroma = initialChroma(decoded);
  // Large images decide their scale from their own row sample (scale-check.ts); small ones from a preview.
  const t = performance.now();
  const plan = canSample(decoded)
    ? {
        size: { width: decoded.width, height: decoded.height },
        startQuality: TARGET_QUALITY,
        previewEncodes: 0,
      }
    : await planScale(decoded, chroma, opts.maxBytes, opts.qualityCeiling, signal);
  encodeMs += performance.now() - t;
  let regrown = false;

  let size =
    plan.size.width === decoded.width && plan.size.height === decoded.height
      ? plan.size
      : withLongSide(display, Math.max(plan.size.width, plan.size.height));
  let start = plan.startQuality;
  let encodes = 0;
  let sampleEncodes = 0;
  let boundEncodes = 0;
  for (;;) {
    const pixels: Prepared = await timed("prepare", () => resizePixels(decoded, size));
    const encode = (quality: number, c: Chroma = chroma) => {
      throwIfAborted(signal);
      return encodeJpeg(pixels, { quality, chroma: c });
    };
    const sample = sampleRows(pixels);
    // Sample encodes only measure: scan optimisation off (encode.ts `measureOnly`).
    const measure = (settings: EncodeSettings) => {
      throwIfAborted(signal);
      return encodeJpeg(sample as Prepared, { ...settings, measureOnly: true });
    };
    // Sample bytes; times `ratio`, the sample's word on full-size bytes (within ~2.5 %).
    const onSample = async (settings: EncodeSettings) => {
      const bytes = await timed("encode", () => measure(settings));
      sampleEncodes++;
      return bytes.length;
    };
    let known: { quality: number; size: number }[] = [];
    const resized = pixels.width !== decoded.width || pixels.height !== decoded.height;
    const ratio = sample
      ? ((pixels.width * pixels.height) / (sample.width * sample.height)) *
        (resized ? SAMPLE_FACTOR_RESIZED : SAMPLE_FACTOR)
      : 1;
    if (sample) {
      const q = Math.min(TARGET_QUALITY, opts.qualityCeiling);
      const bytes = await onSample({ quality: q, chroma });
      known = [{ quality: q, size: bytes }];
      const check = checkScale(
        bytes * ratio,
        opts.maxBytes,
        opts.qualityFloor,
        opts.qualityCeiling,
        !resized,
        !regrown,
      );
      if (!check.keep) {
        const long = Math.max(pixels.width, pixels.height) * Math.sqrt(check.fraction);
        const next = withLongSide(display, Math.min(Math.max(decoded.width, decoded.height), long));
        if (next.width !== pixels.width || next.height !== pixels.height) {
          if (resized) regrown = true;
          size = next;
          continue;
        }
      } else start = check.start;
    }
    const finish = (best: { quality: number; bytes: Buffer }, verified: boolean) => ({
      jpeg: best.bytes,
      width: pixels.width,
      height: pixels.height,
      quality: best.quality,
      encodes,
      previewEncodes: plan.previewEncodes,
      sampleEncodes,
      boundEncodes,
      searchVerified: verified,
      chroma,
      scale: Math.max(pixels.width, pixels.height) / Math.max(display.width, display.height),
      passthrough: false,
      source,
      timings: { probeMs, prepareMs, encodeMs, totalMs: performance.now() - started },
    });
    // A spare candidate's full-size upper-bound encode costs 70-280 ms; its sample's measure-only
    // encode, a fraction of that, predicts the real encode to ~2.5 % (an upper bound can be 60 % over
    // it: mate-gulp.png). One the sample puts clearly over is dropped; one it puts under goes straight
    // to its real encode.
    const screen: Screen | undefined = sample ? async (c) => (await onSample(c)) * ratio : undefined;
    // `measured`: full-size bytes already known for spare candidates (not the sample sizes in `known`).
    const spare = async (measured: SizePoint[]): Promise<SpareResult> => {
      const candidates = spareCandidates(pixels, opts.qualityCeiling, opts.spareCeiling);
      const r = await timed("encode", () =>
        spendSpareBytes(
          candidates,
          opts.maxBytes,
          (c, upperBound) => {
            throwIfAborted(signal);
            return encodeJpeg(pixels, { ...c, upperBound });
          },
          screen,
          measured,
        ),
      );
      encodes += r.encodes;
      boundEncodes += r.boundEncodes;
      if (r.best) chroma = r.best.chroma;
      return r;
    };
    // An image predicted to fit at the ceiling usually has bytes to spare: try that encode first,
    // so the usual answer costs one real encode instead of a search and a second try. With a sample,
    // ask it first whether the ceiling fits at all: the start above extrapolates one encode at
    // TARGET_QUALITY over 30 quality steps with a prior slope, and errs most there (cmyk-storm:
    // predicted to fit at 95, fits at 91). The search reuses that sample encode.
    let spareTried = false;
    if (start >= opts.qualityCeiling) {
      let worth = true;
      const atCeiling: SizePoint[] = [];
      if (sample) {
        const q = opts.qualityCeiling;
        const size = await onSample({ quality: q, chroma });
        known.push({ quality: q, size });
        worth = screenVerdict(size * ratio, opts.maxBytes) !== "over";
        atCeiling.push({ quality: q, chroma, size: size * ratio });
      }
      if (worth) {
        spareTried = true;
        const r = await spare(atCeiling);
        if (r.best) return finish(r.best, true);
      }
    }
    const common = {
      floor: opts.qualityFloor,
      ceiling: opts.qualityCeiling,
      maxBytes: opts.maxBytes,
      start,
      slope: slopeAt,
      stepDown: TRELLIS_MIN_QUALITY,
    };
    const result: SearchResult = await timed<SearchResult>("encode", () =>
      sample
        ? searchSampled({
            ...common,
            encodeFull: encode,
            encodeSample: (quality) => measure({ quality, chroma }),
            ratio,
            known,
          })
        : searchQuality({ ...common, encode }),
    );
    encodes += result.encodes;
    sampleEncodes += result.sampleEncodes;
    if (result.best) {
      // At the ceiling with bytes left: spend them (full chroma, then a higher quality).
      if (result.best.quality >= opts.qualityCeiling && !spareTried) {
        const { quality, bytes } = result.best;
        const r = await spare([{ quality, chroma, size: bytes.length }]);
        if (r.best) return finish(r.best, true);
      }
      return finish(result.best, result.verified);
    }
    // Even the floor did not fit here. From the lowest quality measured, predict the pixels at which
    // a quality just above the floor fits (decide-scale.ts `FLOOR_MISS_HEADROOM`), and resize again
    // from the decoded source (never from the last attempt).
    const lowest = result.lowest;
    const aim = Math.min(opts.qualityCeiling, opts.qualityFloor + FLOOR_MISS_HEADROOM);
    const atAim = lowest.size * Math.exp(slopeAt(lowest.quality) * (aim - lowest.quality));
    const shrink = Math.min(MIN_SHRINK, (opts.maxBytes / atAim) ** (1 / (2 * BETA)) * SHRINK_MARGIN);
    const next = scaleSize(
      display,
      (Math.max(size.width, size.height) * shrink) / Math.max(display.width, display.height),
    );
    if (
      Math.min(size.width, size.height) <= MIN_SIDE ||
      (next.width === size.width && next.height === size.height)
    ) {
      throw new EngineError(
        "budget_unreachable",
        `the image cannot fit in ${opts.maxBytes} bytes even at ${size.width}x${size.height}`,
      );
    }
    size = next;
    start = Math.min(TARGET_QUALITY, opts.qualityCeiling);
  }
}
