import { ARTICLE_ID_PARAM_MAX_LENGTH } from "@belfoot/api-schemas";
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
import { converterCallTimeoutMs } from "@belfoot/internal-contract";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger } from "fastify";
import { bootstrapAdmin } from "./bootstrap-admin";
import { startChangeCaches } from "./change-caches";
import { ImageBytesCache } from "./image-bytes-cache";
import { createUrlChecks } from "./jobs/url-checks";
import { authenticate } from "./plugins/authenticate";
import { converterClient } from "./plugins/converter-client";
import { jobQueue } from "./plugins/job-queue";
import { openapi } from "./plugins/openapi";
import { AccelKey } from "./reads/accel";
import { LinkSigner } from "./reads/link-signer";
import { readLogLevel } from "./reads/read-log-level";
import { accountRoutes } from "./routes/accounts";
import { articleRoutes } from "./routes/articles";
import { convertRoutes } from "./routes/convert";
import { imageBytesRoute } from "./routes/image-bytes";
import { jobRoutes } from "./routes/jobs";
import { linkRoutes } from "./routes/links";
import { logRoutes } from "./routes/logs";
import { uploadRoutes } from "./routes/uploads";

export interface GatewayDeps {
  config: Config;
  sql: Sql;
  logger: FastifyBaseLogger;
}

/** The public gateway: shared plugins first, then one module per group of routes. */
export async function buildGatewayApp({ config, sql, logger }: GatewayDeps) {
  // Behind nginx every peer is nginx: the client's address comes from X-Forwarded-For, which nginx
  // overwrites, so it is believed only from the proxy TRUST_PROXY names (by default nobody: any
  // client could send the header and pick the address its failed logins are counted under).
  const app = Fastify(
    serverOptions(logger, {
      trustProxy: config.TRUST_PROXY || false,
      // Room for the longest article id in a path, so its schema refuses a longer one with 400 (not 404);
      // longer still, frameworkErrors answers 414 in our shape.
      routerOptions: { maxParamLength: ARTICLE_ID_PARAM_MAX_LENGTH },
      ...timeoutOptions(config),
    }),
  ).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate("sql", sql);
  await app.register(errorHandler, { classify: classifyDatabaseFault });
  await app.register(requestId);
  await app.register(jsonOnly);
  await app.register(metrics, { service: "admin-auth" });
  await app.register(requestLog, { levelOf: readLogLevel });
  const caches = await startChangeCaches({
    databaseUrl: config.DATABASE_URL,
    credentialTtlSeconds: config.CREDENTIAL_CACHE_SECONDS,
    metrics: app.metrics,
    log: app.log,
  });
  app.addHook("onClose", caches.close);
  await app.register(authenticate, {
    credentials: caches.credentials,
    jwtSecret: config.JWT_SECRET,
    jwtTtlSeconds: config.JWT_TTL_SECONDS,
    throttle: {
      delayAfterFailures: config.LOGIN_DELAY_AFTER_FAILURES,
      maxDelaySeconds: config.LOGIN_DELAY_MAX_S,
      perAddress: config.LOGIN_FAILURES_PER_IP,
      windowSeconds: config.LOGIN_FAILURE_WINDOW_S,
    },
  });
  await app.register(converterClient, {
    url: config.CONVERTER_URL,
    internalToken: config.INTERNAL_TOKEN,
    timeoutMs: converterCallTimeoutMs(config),
  });
  await app.register(openapi);
  await app.register(healthRoutes, { checks: { converter: () => app.converter.healthy() } });
  await app.register(jobQueue, {
    databaseUrl: config.DATABASE_URL,
    expireSeconds: config.JOB_EXPIRE_SECONDS,
    attempts: config.JOB_ATTEMPTS,
  });
  const urls = createUrlChecks({
    allowPrivateSources: config.ALLOW_PRIVATE_SOURCES,
    allowPrivateCallbacks: config.ALLOW_PRIVATE_CALLBACKS,
    allowedPorts: config.ALLOWED_SOURCE_PORTS,
  });
  await app.register(convertRoutes, {
    maxQueuedPerUser: config.MAX_QUEUED_PER_USER,
    urls,
    metas: caches.imageMetas,
  });
  await app.register(jobRoutes, {
    batchMaxItems: config.BATCH_MAX_ITEMS,
    maxQueuedPerUser: config.MAX_QUEUED_PER_USER,
    urls,
  });
  // One bytes cache for every read route, so an image read by article and by id is held once.
  const imageReplies = {
    cacheMaxAge: config.IMAGE_CACHE_MAX_AGE,
    images: new ImageBytesCache(config.IMAGE_MEMORY_CACHE_BYTES),
    accel: new AccelKey(config.INTERNAL_TOKEN),
    metas: caches.imageMetas,
  };
  await app.register(articleRoutes, imageReplies);
  await app.register(imageBytesRoute, imageReplies);
  const links = new LinkSigner(config.LINK_SIGNING_KEY, config.LINK_SIGNING_KEY_PREVIOUS);
  await app.register(linkRoutes, { ...imageReplies, links, maxTtlSeconds: config.LINK_MAX_TTL_S });
  // The original API, kept for its clients: same paths, same {status, message} answers.
  await app.register(accountRoutes, {
    registration: config.REGISTRATION,
    jwtTtlSeconds: config.JWT_TTL_SECONDS,
  });
  await app.register(uploadRoutes, {
    // The JSON wrapper around the base64 text needs a little room beyond the image itself.
    bodyLimit: config.UPLOAD_BODY_LIMIT_BYTES + 64 * 1024,
    uploadsAtOnce: config.UPLOADS_AT_ONCE,
    ...imageReplies,
  });
  await app.register(logRoutes, { logDir: config.LOG_DIR });
  await bootstrapAdmin(config, sql, app.log);
  return app;
}
