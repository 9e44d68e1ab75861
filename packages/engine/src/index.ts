export { type CompressResult, compress } from "./compress";
export type { Chroma } from "./encode";
// Building blocks the studies in research/ measure with, so that they measure what the engine does:
// its probe and decode, its row sample, and one encode with its settings. Not for the services.
export { type EncodeSettings, encodeJpeg } from "./encode";
export { EngineError, type EngineErrorCode } from "./errors";
export { lumaOf, type Plane, ssim } from "./metrics/ssim";
export {
  type CompressOptions,
  DEFAULT_LIMIT_INPUT_PIXELS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_OUTPUT_PIXELS,
  QUALITY_CEILING,
  QUALITY_FLOOR,
  TRELLIS_MIN_QUALITY,
} from "./options";
export { OutputCheckError } from "./pipeline/verify";
export { decodeSource, type Prepared } from "./prepare";
export type { SourceInfo } from "./probe";
export { probe } from "./probe";
export { sampleRows } from "./sample";
