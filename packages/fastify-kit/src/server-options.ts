import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import { frameworkErrors } from "@belfoot/errors";
import type { FastifyBaseLogger, FastifyHttpOptions } from "fastify";
import { ARTICLE_ID_MAX_LENGTH } from "./schemas";

/** A caller's X-Request-Id is kept when it looks like an id; anything else is replaced. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify options both services start from. */
type HttpOptions = FastifyHttpOptions<Server, FastifyBaseLogger>;

export function serverOptions(logger: FastifyBaseLogger, extra: HttpOptions = {}): HttpOptions {
  return {
    loggerInstance: logger,
    // Read by genReqId below, which vets it; Fastify would otherwise take any value as it is.
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Inputs are JSON from other programs: a deep or huge body is an attack, not a request.
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    // Refuse unknown fields instead of silently dropping them, and report every problem at once.
    ajv: { customOptions: { removeAdditional: false, allErrors: true } },
    forceCloseConnections: "idle",
    // Room for the longest article id even fully percent-encoded (3 bytes a character), so the route's
    // schema refuses a too-long id with 400; longer still, frameworkErrors answers 414 in our shape.
    routerOptions: { maxParamLength: 3 * ARTICLE_ID_MAX_LENGTH },
    frameworkErrors,
    ...extra,
  };
}
