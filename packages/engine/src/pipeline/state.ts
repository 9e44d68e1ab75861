import { throwIfAborted } from "../abort";
import { type Chroma, type EncodeSettings, encodeJpeg } from "../encode";
import type { Size } from "../geometry";
import type { ResolvedOptions } from "../options";
import type { Prepared } from "../prepare";
import type { SourceInfo } from "../probe";

/** Encodes made so far, by kind (CompressResult reports them). */
export interface Counts {
  encodes: number;
  previewEncodes: number;
  sampleEncodes: number;
  boundEncodes: number;
}

/** What every step of one compress() call reads and writes, from the probe on. */
export interface CompressState {
  readonly input: Buffer;
  readonly opts: ResolvedOptions;
  readonly source: SourceInfo;
  /** The source as displayed (EXIF orientation applied): every size derives from it in one rounding. */
  readonly display: Size;
  readonly started: number;
  /** Wall time of the probe and of decodes and resizes; the rest of the total is encoding. */
  readonly timings: { probeMs: number; prepareMs: number };
  readonly counts: Counts;
}

/** Once decoded: the pixels every size is resized from, and the size and quality to try next. */
export interface FitState extends CompressState {
  readonly decoded: Prepared;
  /** 4:2:0 for the search (chroma.ts); the spare-bytes step may move the answer to 4:4:4. */
  chroma: Chroma;
  size: Size;
  /** The quality the search starts from at `size`. */
  start: number;
  /** A downscale was grown back once (scale-check.ts): never twice. */
  regrown: boolean;
}

/** A quality and the bytes measured (or predicted) for it. */
export interface QualitySize {
  quality: number;
  size: number;
}

/** One size being tried: its pixels and, for large images, their row sample (sample.ts). */
export interface Attempt {
  readonly pixels: Prepared;
  readonly sample: Prepared | undefined;
  /** Full-size bytes over sample bytes at the same quality: the sample's word on full-size bytes. */
  readonly ratio: number;
  /** The pixels were resized from the decoded source (the sample then errs a little more). */
  readonly resized: boolean;
  /** Sample sizes already measured at this size, reused by the search. */
  readonly known: QualitySize[];
}

/** What compress() answers, before the exit check (verify.ts). */
export interface Answer {
  jpeg: Buffer;
  width: number;
  height: number;
  /** null for a pass-through. */
  quality: number | null;
  chroma: Chroma;
  /** True when quality + 1 was encoded and did not fit (false: the size curve said it would not). */
  verified: boolean;
  passthrough: boolean;
}

/** The long side of a size. */
export function longSide(size: Size): number {
  return Math.max(size.width, size.height);
}

/** A decode or resize, timed, after checking the caller's signal. */
export async function preparing<T>(state: CompressState, work: () => Promise<T>): Promise<T> {
  throwIfAborted(state.opts.signal);
  const t = performance.now();
  try {
    return await work();
  } finally {
    state.timings.prepareMs += performance.now() - t;
  }
}

/** Every encode goes through here: the caller's signal is checked before each one starts. */
export function encode(state: CompressState, pixels: Prepared, settings: EncodeSettings): Promise<Buffer> {
  throwIfAborted(state.opts.signal);
  return encodeJpeg(pixels, settings);
}

/** An encode of the row sample that only measures (encode.ts `measureOnly`), counted as a sample encode. */
export async function measureSample(state: CompressState, sample: Prepared, settings: EncodeSettings) {
  const bytes = await encode(state, sample, { ...settings, measureOnly: true });
  state.counts.sampleEncodes++;
  return bytes;
}

export function sameSize(a: Size, b: Size): boolean {
  return a.width === b.width && a.height === b.height;
}

/** An encode that fitted, as the answer at this attempt's size. */
export function encodedAnswer(
  state: FitState,
  attempt: Attempt,
  best: { quality: number; bytes: Buffer },
  verified: boolean,
): Answer {
  const { width, height } = attempt.pixels;
  return {
    jpeg: best.bytes,
    width,
    height,
    quality: best.quality,
    chroma: state.chroma,
    verified,
    passthrough: false,
  };
}
