import { isDatabaseUnavailable, type Sql } from "@belfoot/db";
import { AppError } from "@belfoot/errors";

/** Seconds a client should wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** For the error plugin's `classify`: database down or restarting → 503 with Retry-After. */
export function classifyDatabaseFault(err: unknown): AppError | undefined {
  if (!isDatabaseUnavailable(err)) return undefined;
  return new AppError(503, "database_unavailable", "the database is unavailable; retry later", {
    cause: err,
    headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
  });
}

declare module "fastify" {
  interface FastifyInstance {
    sql: Sql;
  }
}
