import type { Readable } from "node:stream";
import { fetchErrors } from "./fetch-errors";

/**
 * Reads a response body into memory, refusing a declared Content-Length above the cap before
 * reading anything, and cutting the stream (which closes the socket) as soon as one byte more
 * than the cap has arrived, whatever the headers claimed.
 */
export async function readCappedBody(
  body: Readable,
  maxBytes: number,
  contentLength: string | string[] | undefined,
): Promise<Buffer> {
  const declared = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  if (Number.isFinite(declared) && declared > maxBytes) {
    body.destroy();
    throw fetchErrors.tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (total > maxBytes) {
      body.destroy();
      throw fetchErrors.tooLarge(maxBytes);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}
