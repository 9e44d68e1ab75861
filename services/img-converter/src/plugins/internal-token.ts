import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "@belfoot/errors";
import { CONVERTER_PATHS, INTERNAL_HEADERS } from "@belfoot/internal-contract";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/** Probes a supervisor reaches without the token (liveness, readiness); they reveal no image. */
const OPEN_PATHS = new Set<string>([CONVERTER_PATHS.health, "/ready"]);

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Only the gateway may call the converter: every request must carry the shared internal token.
 * Compared as fixed-length digests with timingSafeEqual so the check leaks neither length nor prefix.
 */
async function internalTokenPlugin(app: FastifyInstance, opts: { token: string }) {
  const expected = digest(opts.token);
  app.addHook("onRequest", async (request) => {
    if (OPEN_PATHS.has(request.routeOptions.url ?? "")) return;
    const given = request.headers[INTERNAL_HEADERS.token];
    if (typeof given !== "string" || !timingSafeEqual(digest(given), expected)) {
      throw new AppError(401, "invalid_internal_token", "this service only answers the gateway");
    }
  });
}

export const internalToken = fp(internalTokenPlugin, { name: "belfoot-internal-token", fastify: "5.x" });
