import type { Config } from "@belfoot/config";
import { type Sql, upsertAdmin } from "@belfoot/db";
import type { FastifyBaseLogger } from "fastify";
import { hashPassword } from "./auth/passwords";

/** ADMIN_USERNAME + ADMIN_PASSWORD: create that admin, or reset its password, at start-up. */
export async function bootstrapAdmin(config: Config, sql: Sql, logger: FastifyBaseLogger): Promise<void> {
  if (!config.ADMIN_USERNAME || !config.ADMIN_PASSWORD) return;
  const admin = await upsertAdmin(sql, config.ADMIN_USERNAME, await hashPassword(config.ADMIN_PASSWORD));
  logger.info({ username: admin.username, id: admin.id }, "admin account ready");
}
