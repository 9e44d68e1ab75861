// Exports tagged as internal are building blocks the tests, benchmarks and the studies in research/
// measure with, so that they measure what the engine does (its defaults, decode, row sample, one encode
// with its settings, its SSIM). Not for the services.
export { type CompressResult, compress } from "./compress";
export type { Chroma } from "./encode";
/** @internal */
export { type EncodeSettings, encodeJpeg } from "./encode";
export { EngineError, type EngineErrorCode } from "./errors";
/** @internal */
export { lumaOf, type Plane, ssim } from "./metrics/ssim";
export type { CompressOptions } from "./options";
/** @internal */
export {
  DEFAULT_LIMIT_INPUT_PIXELS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_OUTPUT_PIXELS,
  QUALITY_FLOOR,
  TRELLIS_MIN_QUALITY,
} from "./options";
/** @internal */
export { decodeSource, type Prepared } from "./prepare";
// The header-only probe: a service may read a source's pixel count before it admits the decode.
export { probe, type SourceInfo } from "./probe";
/** @internal */
export { sampleRows } from "./sample";
