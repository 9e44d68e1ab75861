export { type CompressResult, compress } from "./compress";
export type { Chroma } from "./encode";
export { EngineError, type EngineErrorCode } from "./errors";
export {
  type CompressOptions,
  DEFAULT_LIMIT_INPUT_PIXELS,
  DEFAULT_MAX_BYTES,
} from "./options";
export type { SourceInfo } from "./probe";
