import { type Config, loadConfigOrExit } from "@belfoot/config";
import { connect, migrate, type Sql } from "@belfoot/db";
import { createLogger } from "@belfoot/logging";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { listenMetrics, type MetricsListener } from "./metrics";

export interface ServiceDeps {
  config: Config;
  sql: Sql;
  logger: Logger;
}

export interface RunServiceOptions {
  name: string;
  build: (deps: ServiceDeps) => Promise<FastifyInstance>;
  address: (config: Config) => { host: string; port: number };
  /** Where GET /metrics is served, apart from the app; port 0: not at all. */
  metricsAddress: (config: Config) => { host: string; port: number };
}

/**
 * The whole life of a service process: config read once, logger, database pool, migrations,
 * listen; on SIGTERM/SIGINT stop accepting, drain in-flight requests, close the pool, exit.
 */
export async function runService(opts: RunServiceOptions): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({
    name: opts.name,
    level: config.LOG_LEVEL,
    logDir: `${config.LOG_DIR}/${opts.name}`,
  });
  if (!config.DATABASE_URL) {
    logger.fatal("DATABASE_URL is not set (pnpm start sets it; see README)");
    process.exit(1);
  }
  const sql = connect(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX });
  const applied = await migrate(sql);
  if (applied.length) logger.info({ applied }, "migrations applied");
  const app = await opts.build({ config, sql, logger }).catch(async (err: Error) => {
    // A refused start-up (e.g. a weak ADMIN_PASSWORD) says why in one line, then exits non-zero.
    logger.fatal({ err }, `start-up failed: ${err.message}`);
    process.stderr.write(`${opts.name}: start-up failed: ${err.message}\n`);
    logger.flush();
    await sql.end({ timeout: 1 });
    process.exit(1);
  });
  let closing = false;
  // While draining, answers end their keep-alive connection, so the server can finish closing.
  // Callback-style hooks, here and in the kit's other per-request hooks: an async one costs each
  // request a promise and a microtask turn for a line of work.
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (closing) reply.header("connection", "close");
    done(null, payload);
  });
  const { host, port } = opts.address(config);
  await app.listen({ host, port });
  const metricsAddress = opts.metricsAddress(config);
  let metricsListener: MetricsListener | undefined;
  if (metricsAddress.port !== 0) {
    metricsListener = await listenMetrics(app.metrics, metricsAddress);
    logger.info({ url: `${metricsListener.url}/metrics` }, "metrics listening");
  }

  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down: draining in-flight requests");
    const timer = setTimeout(() => {
      logger.error("drain took too long; exiting");
      process.exit(1);
    }, 25_000);
    timer.unref();
    await app.close();
    await metricsListener?.close();
    await sql.end({ timeout: 5 });
    logger.flush();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
  // Started by the launcher over an IPC channel: it closes when the launcher dies, even by SIGKILL,
  // and a service must never run on without the parent that stops it and its database.
  if (process.channel) {
    process.channel.unref();
    process.once("disconnect", () => void shutdown("launcher gone"));
    if (!process.connected) void shutdown("launcher gone");
  }
}
