import { databaseReady } from "@belfoot/db";
import type { FastifyInstance } from "fastify";
import { HealthReply, ReadyReply } from "./reply-schemas";

export interface HealthOptions {
  /** Extra readiness checks (e.g. the converter answers), each named in the /ready answer. */
  checks?: Record<string, () => Promise<boolean>>;
}

/** GET /health: the process answers. GET /ready: it can take work (database, migrations, peers). */
export async function healthRoutes(app: FastifyInstance, opts: HealthOptions) {
  app.get(
    "/health",
    {
      logLevel: "warn",
      schema: {
        summary: "Liveness: the process answers",
        operationId: "getHealth",
        response: { 200: HealthReply },
      },
    },
    async () => ({
      status: 200,
      message: "ok",
    }),
  );
  app.get(
    "/ready",
    {
      logLevel: "warn",
      schema: {
        summary: "Readiness: the database, the migrations and the service's peers answer",
        operationId: "getReady",
        response: { 200: ReadyReply, 503: ReadyReply },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, boolean> = { database: await databaseReady(app.sql) };
      for (const [name, check] of Object.entries(opts.checks ?? {})) {
        checks[name] = await check().catch(() => false);
      }
      const ready = Object.values(checks).every(Boolean);
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 200 : 503, message: ready ? "ready" : "not ready", checks });
    },
  );
}
