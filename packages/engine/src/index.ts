export { type CompressResult, compress } from "./compress";
export { type Compressor, type CompressorOptions, createCompressor } from "./compressor";
export type { Chroma } from "./encode";
export { EngineError, type EngineErrorCode } from "./errors";
export { type Limiter, limitConcurrency } from "./limiter";
export { lumaOf, type Plane, ssim } from "./metrics/ssim";
export {
  type CompressOptions,
  DEFAULT_LIMIT_INPUT_PIXELS,
  DEFAULT_MAX_BYTES,
  QUALITY_CEILING,
  QUALITY_FLOOR,
} from "./options";
export type { SourceInfo } from "./probe";
export {
  defaultConcurrency,
  RESERVED_POOL_THREADS,
  recommendedThreadPoolSize,
  threadPoolSize,
} from "./runtime";
