import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "@belfoot/config";
import { freePort } from "@belfoot/pg-embedded";
import { startAppDatabase } from "./embedded-database";
import { isPortFree } from "./port-free";

/** Where tools (`pnpm user`) find the embedded server's URL; see services/admin-auth/src/cli. */
const URL_FILE = "database-url";
const PORT_FILE = "postgres.port";
const PREFERRED_PORT = 54329;

export interface Database {
  url: string;
  /** For the start-up banner: never the password. */
  description: string;
  stop(): Promise<void>;
}

/** Keep the embedded server on the same port across runs, so a written-down URL stays true. */
async function embeddedPort(dataDir: string): Promise<number> {
  const file = path.join(dataDir, PORT_FILE);
  if (existsSync(file)) return Number(readFileSync(file, "utf8").trim());
  const port = await freePort().then(async (free) =>
    (await isPortFree(PREFERRED_PORT)) ? PREFERRED_PORT : free,
  );
  writeFileSync(file, `${port}\n`);
  return port;
}

/** DATABASE_URL when given; else a real PostgreSQL embedded under DATA_DIR/postgres. */
export async function openDatabase(config: Config, log: (line: string) => void): Promise<Database> {
  if (config.DATABASE_URL) {
    const masked = config.DATABASE_URL.replace(/:\/\/([^:@/]+):[^@/]*@/, "://$1:***@");
    return { url: config.DATABASE_URL, description: masked, stop: async () => {} };
  }
  const dataDir = path.join(config.DATA_DIR, "postgres");
  const port = await embeddedPort(config.DATA_DIR);
  log(`starting embedded PostgreSQL in ${dataDir} on 127.0.0.1:${port}`);
  const server = await startAppDatabase({ dataDir: config.DATA_DIR, port, log });
  writeFileSync(path.join(config.DATA_DIR, URL_FILE), `${server.url}\n`, { mode: 0o600 });
  return {
    url: server.url,
    description: `embedded PostgreSQL, data in ${dataDir}, services connect as role ${server.role}`,
    stop: () => server.stop(),
  };
}
