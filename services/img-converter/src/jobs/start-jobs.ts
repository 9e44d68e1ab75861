import type { Config } from "@belfoot/config";
import { type Sql, startQueue } from "@belfoot/db";
import type { FastifyInstance } from "fastify";
import type { ConverterContext } from "../context";
import { createWebhookPoster, parseAllowedPorts, parsePolicyAllowList } from "../fetch";
import { startCallbackWorker } from "./callback-worker";
import { startConversionWorker } from "./conversion-worker";
import { jobMetrics } from "./job-metrics";

/**
 * Make this converter one of the queue's workers: two jobs at once per compression slot (each job
 * also takes a compression place, shared with POST /convert), and a webhook sender. On close, the workers stop
 * taking jobs and the running ones finish (or are taken over by another converter once they expire).
 */
export async function startJobs(app: FastifyInstance, config: Config, sql: Sql, ctx: ConverterContext) {
  if (!config.DATABASE_URL) throw new Error("the job queue needs DATABASE_URL");
  const boss = await startQueue({
    databaseUrl: config.DATABASE_URL,
    expireSeconds: config.JOB_EXPIRE_SECONDS,
    attempts: config.JOB_ATTEMPTS,
  });
  const stopping = new AbortController();
  const metrics = jobMetrics(app.metrics, sql);
  await startConversionWorker({
    boss,
    sql,
    ctx,
    log: app.log,
    metrics,
    concurrency: config.COMPRESS_CONCURRENCY,
    attempts: config.JOB_ATTEMPTS,
    signal: stopping.signal,
  });
  const poster = createWebhookPoster({
    allowPrivate: parsePolicyAllowList(config.ALLOW_PRIVATE_CALLBACKS),
    allowedPorts: parseAllowedPorts(config.ALLOWED_SOURCE_PORTS),
    timeoutMs: 10_000,
  });
  await startCallbackWorker({ boss, sql, poster, secret: config.WEBHOOK_SECRET, log: app.log, metrics });
  app.addHook("onClose", async () => {
    stopping.abort();
    await boss.stop({ graceful: true, wait: true, timeout: 20_000 });
    await poster.close();
  });
  return { boss, metrics };
}
