import {
  type CompressOptions,
  type CompressResult,
  compress,
  EngineError,
  type EngineErrorCode,
} from "@belfoot/engine";
import { AppError } from "@belfoot/errors";

/** How each engine refusal is answered: mostly, the caller sent something we cannot or will not convert. */
const ANSWERS: Record<EngineErrorCode, number> = {
  not_an_image: 422,
  undecodable: 422,
  unsupported_format: 422,
  too_many_pixels: 413,
  budget_unreachable: 422,
  // The caller cancelled (its client left): nothing was stored, and a retry may succeed.
  aborted: 503,
};

/** The engine, with its refusals turned into HTTP answers. */
export async function compressImage(bytes: Buffer, opts: CompressOptions): Promise<CompressResult> {
  try {
    return await compress(bytes, opts);
  } catch (err) {
    if (err instanceof EngineError)
      throw new AppError(ANSWERS[err.code], err.code, err.message, { cause: err });
    throw err;
  }
}
