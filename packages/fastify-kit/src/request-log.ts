import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { isLevelEnabled } from "./lazy-child-logger";

/** The level a request's line is written at: a service may lower routine answers another layer logs. */
export type RequestLogLevel = "info" | "debug";

export interface RequestLogOptions {
  /** Default: every line at info. */
  levelOf?: (request: FastifyRequest, reply: FastifyReply) => RequestLogLevel;
}

/**
 * One log line per answered request, in place of Fastify's two ("incoming request" and "request
 * completed", disabled in serverOptions): on the read path through nginx, logging was half of the
 * gateway's CPU per request (docs/decisions/0200-one-log-line-per-request.md).
 */
async function requestLogPlugin(app: FastifyInstance, opts: RequestLogOptions) {
  const levelOf = opts.levelOf ?? (() => "info");
  app.addHook("onResponse", (request, reply, done) => {
    const level = levelOf(request, reply);
    // Checked first: building the line is most of its cost, and a lowered one is usually off.
    if (isLevelEnabled(request.log, level)) logRequest(request, reply, level);
    done();
  });
}

function logRequest(request: FastifyRequest, reply: FastifyReply, level: RequestLogLevel) {
  request.log[level](
    {
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    },
    "request",
  );
}

export const requestLog = fp(requestLogPlugin, { name: "belfoot-request-log", fastify: "5.x" });
