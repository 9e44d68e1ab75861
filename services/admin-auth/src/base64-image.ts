import { AppError } from "@belfoot/errors";

const DATA_URL_PREFIX = /^data:[\w.+-]+\/[\w.+-]+;base64,/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decode the legacy API's `img` field. Node's decoder skips bad characters silently, so the text
 * is checked first: a corrupted upload is refused, never half-decoded. A data: URL prefix is allowed.
 */
export function decodeBase64Image(text: string): Buffer {
  const body = text.replace(DATA_URL_PREFIX, "").replace(/\s+/g, "");
  if (body.length === 0) throw new AppError(400, "invalid_base64", "img is empty");
  // A length of 4n+1 cannot come from any byte string.
  if (body.length % 4 !== 1) {
    if (BASE64.test(body)) return Buffer.from(body, "base64");
    if (BASE64URL.test(body)) return Buffer.from(body, "base64url");
  }
  throw new AppError(400, "invalid_base64", "img is not valid base64");
}
