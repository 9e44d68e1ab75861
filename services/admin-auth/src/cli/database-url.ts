import { readFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "@belfoot/config";

/** The file `pnpm start` writes the embedded PostgreSQL's URL to, so tools can find it. */
export const DATABASE_URL_FILE = "database-url";

/** DATABASE_URL, else the embedded server that `pnpm start` runs on this DATA_DIR. */
export function resolveDatabaseUrl(config: Config): string {
  if (config.DATABASE_URL) return config.DATABASE_URL;
  try {
    return readFileSync(path.join(config.DATA_DIR, DATABASE_URL_FILE), "utf8").trim();
  } catch {
    throw new Error(
      `DATABASE_URL is not set and ${config.DATA_DIR} has no embedded database: run pnpm start first`,
    );
  }
}
