import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildGatewayApp } from "@belfoot/admin-auth";
import { type Config, loadConfig } from "@belfoot/config";
import { connect, migrate, type Sql } from "@belfoot/db";
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
  config: Config;
  /** A pool on the stack's own database, for assertions. */
  sql: Sql;
  gateway: FastifyInstance;
  converter: FastifyInstance;
  close(): Promise<void>;
}

export interface StackOptions {
  env?: Record<string, string>;
  /** Where logs go: the default keeps test output quiet. */
  logLevel?: LogLevel;
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no TCP address");
  return `http://127.0.0.1:${address.port}`;
}

/**
 * Both real services on ephemeral ports over real HTTP, on a fresh PostgreSQL database of their own,
 * configured through the same `loadConfig` as production (env overrides on top).
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const db = await createTestDatabase();
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
  const converter = await buildConverterApp({
    config: base,
    sql: converterSql,
    logger: createLogger({
      name: "img-converter",
      level: base.LOG_LEVEL,
      logDir: path.join(base.LOG_DIR, "img-converter"),
      stdout: quiet,
    }),
  });
  const converterUrl = await listen(converter);

  const config: Config = { ...base, CONVERTER_URL: converterUrl };
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
  const url = await listen(gateway);

  return {
    url,
    converterUrl,
    config,
    sql,
    gateway,
    converter,
    async close() {
      await gateway.close();
      await converter.close();
      await Promise.all([sql.end(), gatewaySql.end(), converterSql.end()]);
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
