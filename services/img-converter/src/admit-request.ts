import { INTERNAL_HEADERS } from "@belfoot/internal-contract";
import type { FastifyRequest } from "fastify";
import type { Place } from "./compression-queue";
import type { ConverterContext } from "./context";

/**
 * Whose request it is, for the per-account share of the queue: the owner id admin-auth forwards,
 * read on arrival (before validation, which refuses a malformed one later). Calls without one share
 * one key.
 */
function ownerKey(request: FastifyRequest): string {
  const owner = request.headers[INTERNAL_HEADERS.ownerId];
  return typeof owner === "string" ? owner : "";
}

/** The admission both routes make on arrival: a queue place for this account, refusals counted. */
export function admitRequest(ctx: ConverterContext) {
  return (request: FastifyRequest): Place => {
    try {
      return ctx.queue.admit(ownerKey(request));
    } catch (err) {
      ctx.metrics.refused(err);
      throw err;
    }
  };
}
