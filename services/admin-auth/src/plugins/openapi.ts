import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/**
 * OpenAPI 3 generated from the route schemas (the same TypeBox schemas that validate requests), at
 * /openapi.json, with Swagger UI at /docs. Must be registered before the routes it describes.
 */
async function openapiPlugin(app: FastifyInstance) {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "belfoot-img",
        description:
          "Article images as small JPEGs: convert by URL, read by article id; the original image API.",
        version: "0.1.0",
        license: { name: "Proprietary" },
      },
      // Relative: the document is served by the gateway it describes, whatever its public address.
      servers: [{ url: "/", description: "the gateway that serves this document" }],
      components: {
        securitySchemes: {
          basicAuth: { type: "http", scheme: "basic" },
          bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        },
      },
      security: [{ basicAuth: [] }, { bearerAuth: [] }],
    },
    hideUntagged: false,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}

export const openapi = fp(openapiPlugin, { name: "belfoot-openapi", fastify: "5.x" });
