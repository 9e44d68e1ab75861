import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { AppError, type ErrorBody } from "./app-error";

/** Fastify's own error codes that are the caller's fault, mapped to our stable codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "body_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_EMPTY_JSON_BODY: "invalid_body",
  FST_ERR_CTP_INVALID_JSON_BODY: "invalid_json",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "invalid_content_length",
  FST_ERR_VALIDATION: "invalid_body",
};

/** Longest message an answer carries: a message may quote the caller's input (a path, a header). */
const MAX_MESSAGE_CHARS = 300;

function capped(message: string): string {
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…` : message;
}

function toBody(err: FastifyError | AppError, request: FastifyRequest): ErrorBody {
  if (err instanceof AppError) {
    return { status: err.status, code: err.code, message: err.message, request_id: request.id };
  }
  const status = err.statusCode ?? 500;
  if (status >= 500) {
    // Faults never leak their message: it may hold SQL, paths or stack details.
    return { status, code: "internal_error", message: "internal error", request_id: request.id };
  }
  const code =
    (err.code && FASTIFY_CODES[err.code]) ?? (status === 429 ? "too_many_requests" : "bad_request");
  let message = err.message;
  if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    // Fastify says only "Unsupported Media Type": say what to send instead.
    const given = request.headers["content-type"];
    message = `send the body as JSON with Content-Type: application/json (this request's: ${given ? JSON.stringify(given.slice(0, 100)) : "none"})`;
  }
  if (err.validation) {
    // The validator stops at the first error (serverOptions); one is what the caller needs to fix.
    const context = err.validationContext ?? "body";
    const first = err.validation[0];
    const where = first?.instancePath ? `${context}${first.instancePath.replaceAll("/", ".")}` : context;
    message = `invalid ${context}: ${where} ${first?.message ?? "is invalid"}`;
  }
  return { status, code, message: capped(message), request_id: request.id };
}

export interface ErrorHandlerOptions {
  /** Turns a known kind of fault into an answer (e.g. database down → 503 with Retry-After). */
  classify?: (err: unknown) => AppError | undefined;
}

/** Renders every error, ours or Fastify's, as {status, code, message, request_id}; logs faults only. */
async function errorHandlerPlugin(app: FastifyInstance, opts: ErrorHandlerOptions) {
  app.setErrorHandler((raw: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const classified = raw instanceof AppError ? undefined : opts.classify?.(raw);
    const err = classified ?? raw;
    if (classified) request.log.warn({ err: raw }, classified.message);
    const body = toBody(err, request);
    if (body.status >= 500) request.log.error({ err }, "request failed");
    else {
      const detail = err instanceof AppError ? err.detail : undefined;
      request.log.info({ ...detail, code: body.code, status: body.status }, "request refused");
    }
    if (err instanceof AppError) reply.headers(err.headers);
    return reply.code(body.status).type("application/json; charset=utf-8").send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      status: 404,
      code: "not_found",
      message: capped(`no route for ${request.method} ${request.url.split("?")[0]}`),
      request_id: request.id,
    };
    return reply.code(404).send(body);
  });
}

export const errorHandler = fp<ErrorHandlerOptions>(errorHandlerPlugin, {
  name: "belfoot-error-handler",
  fastify: "5.x",
});
