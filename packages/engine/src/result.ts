import type { Chroma } from "./encode";
import type { SourceInfo } from "./probe";

/** What compress() answers: the JPEG and the facts about how it was made. */
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
  /** Wall times: the probe, decodes and resizes, and the rest (encoding) of the total. */
  timings: { probeMs: number; prepareMs: number; encodeMs: number; totalMs: number };
}
