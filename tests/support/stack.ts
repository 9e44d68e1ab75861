import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildGatewayApp } from "@belfoot/admin-auth";
import { type Config, loadConfig } from "@belfoot/config";
import { connect, migrate, type Sql } from "@belfoot/db";
import { listenMetrics } from "@belfoot/fastify-kit";
import { buildConverterApp } from "@belfoot/img-converter";
import { createLogger, type LogLevel } from "@belfoot/logging";
import { createTestDatabase } from "@belfoot/testkit";
import type { FastifyInstance } from "fastify";
import pino from "pino";

export const ADMIN = { username: "admin", password: "admin-password-1" } as const;

export interface Stack {
  /** The gateway's base URL (what nginx would publish). */
  url: string;
  /** The converter's base URL (internal). */
  converterUrl: string;
  /** Each service's metrics listener, apart from its app (as METRICS_PORT and CONVERTER_METRICS_PORT). */
  gatewayMetricsUrl: string;
  converterMetricsUrl: string;
  config: Config;
  /** A pool on the stack's own database, for assertions. */
  sql: Sql;
  gateway: FastifyInstance;
  converter: FastifyInstance;
  /** Drop the converter's connections at once (as a crash would) and stop listening. */
  killConverter(): Promise<void>;
  /** A new converter on the same port, as a supervisor would restart it. */
  restartConverter(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  env?: Record<string, string>;
  /** Use this database (e.g. on a server the test stops and starts) instead of a fresh one. */
  databaseUrl?: string;
  /** Where logs go: the default keeps test output quiet. */
  logLevel?: LogLevel;
}

async function listen(app: FastifyInstance, port: number): Promise<string> {
  await app.listen({ host: "127.0.0.1", port });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no TCP address");
  return `http://127.0.0.1:${address.port}`;
}

/**
 * Both real services on ephemeral ports over real HTTP, on a fresh PostgreSQL database of their own,
 * configured through the same `loadConfig` as production (env overrides on top).
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const db = opts.databaseUrl ? { url: opts.databaseUrl, drop: async () => {} } : await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), "belfoot-stack-"));
  const base = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    LOG_LEVEL: opts.logLevel ?? "silent",
    INTERNAL_TOKEN: randomBytes(24).toString("hex"),
    JWT_SECRET: randomBytes(24).toString("hex"),
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    ...opts.env,
  });
  const sql = connect(db.url, { max: 4 });
  await migrate(sql);
  // Log files are written (the log routes read them); the console copy would only bury test output.
  const quiet = pino.destination("/dev/null");

  const converterSql = connect(db.url, { max: 4 });
  const converterLogger = createLogger({
    name: "img-converter",
    level: base.LOG_LEVEL,
    logDir: path.join(base.LOG_DIR, "img-converter"),
    stdout: quiet,
  });
  const startConverter = async (port: number) => {
    const app = await buildConverterApp({ config: base, sql: converterSql, logger: converterLogger });
    const url = await listen(app, port);
    return { app, url, metrics: await listenMetrics(app.metrics, { host: "127.0.0.1", port: 0 }) };
  };
  let converter = await startConverter(0);
  const converterPort = Number(new URL(converter.url).port);

  const config: Config = { ...base, CONVERTER_URL: converter.url };
  const gatewaySql = connect(db.url, { max: 4 });
  const gateway = await buildGatewayApp({
    config,
    sql: gatewaySql,
    logger: createLogger({
      name: "admin-auth",
      level: base.LOG_LEVEL,
      logDir: path.join(base.LOG_DIR, "admin-auth"),
      stdout: quiet,
    }),
  });
  const url = await listen(gateway, 0);
  const gatewayMetrics = await listenMetrics(gateway.metrics, { host: "127.0.0.1", port: 0 });
  let converterUp = true;

  return {
    url,
    converterUrl: converter.url,
    gatewayMetricsUrl: gatewayMetrics.url,
    get converterMetricsUrl() {
      return converter.metrics.url;
    },
    config,
    sql,
    gateway,
    get converter() {
      return converter.app;
    },
    async killConverter() {
      converterUp = false;
      converter.app.server.closeAllConnections();
      await converter.app.close();
      await converter.metrics.close();
    },
    async restartConverter() {
      converter = await startConverter(converterPort);
      converterUp = true;
    },
    async close() {
      await gateway.close();
      await gatewayMetrics.close();
      if (converterUp) await Promise.all([converter.app.close(), converter.metrics.close()]);
      await Promise.all([sql.end(), gatewaySql.end(), converterSql.end()]);
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
