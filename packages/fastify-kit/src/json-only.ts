import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/**
 * Request bodies are JSON only. Fastify also parses text/plain by default, which turned a JSON body
 * sent as text/plain into a puzzling "body must be object"; without that parser, any other type
 * gets 415 saying to send application/json (@belfoot/errors).
 */
async function jsonOnlyPlugin(app: FastifyInstance) {
  app.removeContentTypeParser("text/plain");
}

export const jsonOnly = fp(jsonOnlyPlugin, { name: "belfoot-json-only", fastify: "5.x" });
