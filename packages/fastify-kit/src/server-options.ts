import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Config } from "@belfoot/config";
import { frameworkErrors } from "@belfoot/errors";
import { type FastifyBaseLogger, type FastifyHttpOptions, LogController } from "fastify";
import { lazyChildLogger } from "./lazy-child-logger";
import { validatorFactory } from "./validators";

/** A caller's X-Request-Id is kept when it looks like an id; anything else is replaced. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify options both services start from. */
type HttpOptions = FastifyHttpOptions<Server, FastifyBaseLogger>;

/** What a client may take to send a request, and to keep a connection idle. */
export type HttpTimeouts = Pick<
  Config,
  "HTTP_HEADERS_TIMEOUT_MS" | "HTTP_REQUEST_TIMEOUT_MS" | "HTTP_IDLE_TIMEOUT_MS"
>;

/**
 * Fastify's default is no request timeout at all: a client trickling its headers or body would hold
 * its socket, and whatever place its route admitted it to, for as long as it liked.
 */
export function timeoutOptions(config: HttpTimeouts): HttpOptions {
  const requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  // Node refuses a headers timeout above the request timeout.
  const headersTimeout = Math.min(config.HTTP_HEADERS_TIMEOUT_MS, requestTimeout);
  return {
    requestTimeout,
    keepAliveTimeout: config.HTTP_IDLE_TIMEOUT_MS,
    http: {
      headersTimeout,
      requestTimeout,
      // Node checks both timeouts on this interval (30 s by default), which would stretch a short one.
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    },
  };
}

export function serverOptions(logger: FastifyBaseLogger, extra: HttpOptions = {}): HttpOptions {
  return {
    loggerInstance: logger,
    // requestLog writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    // Read by genReqId below, which vets it; Fastify would otherwise take any value as it is.
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Inputs are JSON from other programs: a deep or huge body is an attack, not a request.
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    schemaController: { compilersFactory: { buildValidator: validatorFactory() } },
    forceCloseConnections: "idle",
    frameworkErrors,
    ...extra,
  };
}
