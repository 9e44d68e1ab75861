import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "@belfoot/pg-embedded";
import postgres from "postgres";

export interface ProvidedServer {
  adminUrl: string;
  kind: "DATABASE_URL" | "testcontainers" | "embedded";
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * One real PostgreSQL for a whole test run: DATABASE_URL when it answers; else a testcontainers
 * container where a Docker engine runs (it refuses at once where none does); else the embedded one.
 */
export async function provideServer(log: (line: string) => void): Promise<ProvidedServer> {
  const given = process.env.DATABASE_URL;
  if (given) {
    if (!(await answers(given)))
      throw new Error(`DATABASE_URL is set but does not answer: ${given.replace(/:[^:@/]*@/, ":***@")}`);
    return { adminUrl: given, kind: "DATABASE_URL", stop: async () => {} };
  }
  try {
    const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
    const container = await new PostgreSqlContainer("postgres:17-alpine").start();
    return {
      adminUrl: container.getConnectionUri(),
      kind: "testcontainers",
      stop: async () => void (await container.stop()),
    };
  } catch (err) {
    log(`testcontainers unavailable (${(err as Error).message.split("\n")[0]}); using embedded PostgreSQL`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), "belfoot-test-pg-"));
  // mkdtemp makes it 0700: as root, the server runs as the postgres user, who must pass through.
  await chmod(dir, 0o711);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data") });
  return {
    adminUrl: server.adminUrl,
    kind: "embedded",
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
