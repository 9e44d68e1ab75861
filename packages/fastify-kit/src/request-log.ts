import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/**
 * One log line per answered request, in place of Fastify's two ("incoming request" and "request
 * completed", disabled in serverOptions): on the read path through nginx, logging was half of the
 * gateway's CPU per request (docs/decisions/0200-one-log-line-per-request.md).
 */
async function requestLogPlugin(app: FastifyInstance) {
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      "request",
    );
  });
}

export const requestLog = fp(requestLogPlugin, { name: "belfoot-request-log", fastify: "5.x" });
