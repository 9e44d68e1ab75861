import type { Config } from "@belfoot/config";
import { findUserByName, type Sql, upsertAdmin } from "@belfoot/db";
import type { FastifyBaseLogger } from "fastify";
import { hashPassword, verifyPassword } from "./auth/passwords";
import { assertValidNewUser } from "./auth/user-policy";

/**
 * ADMIN_USERNAME + ADMIN_PASSWORD: create that admin, or reset its password, at start-up. The account
 * rules apply to it as to any other (a start-up with a weak admin password stops with the rule it
 * broke), and an admin that already has this password is left alone, so a restart does not void its
 * tokens.
 */
export async function bootstrapAdmin(config: Config, sql: Sql, logger: FastifyBaseLogger): Promise<void> {
  if (!config.ADMIN_USERNAME || !config.ADMIN_PASSWORD) return;
  try {
    assertValidNewUser(config.ADMIN_USERNAME, config.ADMIN_PASSWORD);
  } catch (err) {
    throw new Error(`ADMIN_USERNAME/ADMIN_PASSWORD refused: ${(err as Error).message}`);
  }
  const existing = await findUserByName(sql, config.ADMIN_USERNAME);
  const unchanged =
    existing?.role === "admin" && (await verifyPassword(existing.passwordHash, config.ADMIN_PASSWORD));
  const admin = unchanged
    ? existing
    : await upsertAdmin(sql, config.ADMIN_USERNAME, await hashPassword(config.ADMIN_PASSWORD));
  logger.info({ username: admin.username, id: admin.id }, "admin account ready");
}
