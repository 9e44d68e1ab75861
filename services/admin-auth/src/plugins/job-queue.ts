import { type Queue, startQueue } from "@belfoot/db";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

declare module "fastify" {
  interface FastifyInstance {
    /**
     * The durable queue asynchronous conversions are handed to (pg-boss on the product's database);
     * null without a DATABASE_URL (the OpenAPI document is built with no database).
     */
    queue: Queue | null;
  }
}

export interface JobQueueOptions {
  databaseUrl: string | undefined;
  expireSeconds: number;
  attempts: number;
}

/** pg-boss for queueing only: the gateway sends jobs and never works them. */
async function jobQueuePlugin(app: FastifyInstance, { databaseUrl, ...opts }: JobQueueOptions) {
  if (!databaseUrl) {
    app.decorate("queue", null);
    return;
  }
  const boss = await startQueue({ ...opts, databaseUrl, poolMax: 2 });
  app.decorate("queue", boss);
  app.addHook("onClose", async () => boss.stop({ graceful: false, wait: true }));
}

export const jobQueue = fp(jobQueuePlugin, { name: "belfoot-job-queue", fastify: "5.x" });
