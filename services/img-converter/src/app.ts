import type { Config } from "@belfoot/config";
import type { Sql } from "@belfoot/db";
import { errorHandler } from "@belfoot/errors";
import {
  classifyDatabaseFault,
  healthRoutes,
  jsonOnly,
  metrics,
  requestId,
  requestLog,
  serverOptions,
  timeoutOptions,
} from "@belfoot/fastify-kit";
import Fastify, { type FastifyBaseLogger } from "fastify";
import { createCompressionQueue } from "./compression-queue";
import type { ConverterContext } from "./context";
import { converterMetrics } from "./converter-metrics";
import { createSourceFetcher, parseAllowedPorts, parsePolicyAllowList } from "./fetch";
import { startJobs } from "./jobs/start-jobs";
import { internalToken } from "./plugins/internal-token";
import { convertRoutes } from "./routes/convert";
import { uploadRoutes } from "./routes/uploads";

export interface ConverterDeps {
  config: Config;
  sql: Sql;
  logger: FastifyBaseLogger;
}

/** The converter: internal token first, then the routes; the fetcher and compression queue live with the app. */
export async function buildConverterApp({ config, sql, logger }: ConverterDeps) {
  const app = Fastify(
    serverOptions(logger, { bodyLimit: config.UPLOAD_BODY_LIMIT_BYTES, ...timeoutOptions(config) }),
  );
  const fetcher = createSourceFetcher({
    maxBytes: config.MAX_SOURCE_BYTES,
    connectTimeoutMs: config.FETCH_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: config.FETCH_HEADERS_TIMEOUT_MS,
    totalTimeoutMs: config.FETCH_TOTAL_TIMEOUT_MS,
    maxRedirects: config.FETCH_MAX_REDIRECTS,
    allowPrivate: parsePolicyAllowList(config.ALLOW_PRIVATE_SOURCES),
    allowedPorts: parseAllowedPorts(config.ALLOWED_SOURCE_PORTS),
    minBytesPerSecond: config.FETCH_MIN_BYTES_PER_S,
    slowGraceMs: config.FETCH_SLOW_GRACE_MS,
    userAgent: "belfoot-img/0.1 (+image converter)",
  });
  const queue = createCompressionQueue({
    concurrency: config.COMPRESS_CONCURRENCY,
    maxWaiting: config.COMPRESS_QUEUE_MAX,
    perAccount: config.COMPRESS_PLACES_PER_ACCOUNT,
    pixelBudget: config.COMPRESS_PIXEL_BUDGET,
  });
  app.decorate("sql", sql);
  app.addHook("onClose", async () => fetcher.close());
  await app.register(errorHandler, { classify: classifyDatabaseFault });
  await app.register(requestId);
  await app.register(jsonOnly);
  await app.register(metrics, { service: "img-converter" });
  await app.register(requestLog);
  const ctx: ConverterContext = { config, fetcher, queue, metrics: converterMetrics(app.metrics, queue) };
  await app.register(internalToken, { token: config.INTERNAL_TOKEN });
  await app.register(healthRoutes);
  await app.register(convertRoutes, ctx);
  await app.register(uploadRoutes, ctx);
  await startJobs(app, config, sql, ctx);
  return app;
}
