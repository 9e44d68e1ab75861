import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { ErrorBody } from "./app-error";

/**
 * Errors the router raises before any route or hook runs (a path segment over the router's limit, a
 * bad percent-encoding): Fastify answers them itself in its own shape unless given this, so they are
 * rendered here as every other error (the routes' own limits, in their schemas, answer 400 first).
 */
const ROUTER_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_MAX_PARAM_LENGTH: { code: "path_too_long", message: "a part of the URL path is too long" },
  FST_ERR_BAD_URL: { code: "invalid_path", message: "the URL path is not valid (bad percent-encoding)" },
};

/** Fastify's `frameworkErrors` option: the router's refusals in the {status, code, message} shape. */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const known = err.code ? ROUTER_ERRORS[err.code] : undefined;
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const body: ErrorBody = {
    status,
    code: known?.code ?? "bad_request",
    message: known?.message ?? "the request could not be routed",
    request_id: request.id,
  };
  request.log.info({ code: body.code, status }, "request refused");
  // The request-id hook does not run for router errors: echo the id here.
  return reply
    .code(status)
    .header("x-request-id", request.id)
    .type("application/json; charset=utf-8")
    .send(body);
}
