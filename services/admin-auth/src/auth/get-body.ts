import type { FastifyRequest } from "fastify";

const LIMIT = 16 * 1024;

/**
 * Fastify never parses a body on GET, but the CMS may send its inline credentials that way
 * (`GET /articles/:id` with `{"user": {...}}`). Read such a small JSON body from the raw stream;
 * anything else (no body, not JSON, too large, malformed) is simply no credentials.
 */
export async function readGetJsonBody(request: FastifyRequest): Promise<unknown> {
  const type = request.headers["content-type"] ?? "";
  const length = Number(request.headers["content-length"] ?? 0);
  const chunked = request.headers["transfer-encoding"] !== undefined;
  if (!type.startsWith("application/json") || (!chunked && !(length > 0)) || length > LIMIT) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}
