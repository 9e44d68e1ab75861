/** Why the engine refused an input; callers map these codes to HTTP answers. */
export type EngineErrorCode =
  | "not_an_image" // sharp cannot identify the bytes as any image format
  | "undecodable" // identified, but the pixels cannot be decoded (truncated, corrupt)
  | "unsupported_format" // a format we refuse on purpose (SVG: it can reference external resources)
  | "too_many_pixels" // larger than limitInputPixels: a decompression-bomb guard
  | "budget_unreachable" // even the smallest allowed image does not fit the byte budget
  | "aborted"; // the caller's AbortSignal fired: the work stopped before its next step

export class EngineError extends Error {
  readonly code: EngineErrorCode;

  constructor(code: EngineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EngineError";
    this.code = code;
  }
}
