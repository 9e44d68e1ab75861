import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/** Echo the request id on every answer so a caller can quote it and logs can be joined. */
async function requestIdPlugin(app: FastifyInstance) {
  app.addHook("onSend", (request, reply, payload, done) => {
    reply.header("x-request-id", request.id);
    done(null, payload);
  });
}

export const requestId = fp(requestIdPlugin, { name: "belfoot-request-id", fastify: "5.x" });
