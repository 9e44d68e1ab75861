import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Umzug } from "umzug";
import type { Sql } from "./connect";

// Beside the sources (src/ → ../migrations), or inside a service's compiled dist/ (pnpm build copies them).
const here = path.dirname(fileURLToPath(import.meta.url));
const MIGRATIONS_DIR = [path.join(here, "../migrations"), path.join(here, "migrations")].find((dir) =>
  existsSync(dir),
) as string;
/** Any constant works: it only has to be the same in every process that migrates. */
const MIGRATION_LOCK_KEY = 4_711_042;

/**
 * Apply the versioned SQL files in `migrations/` that this database has not run yet. umzug tracks
 * what ran; we add what it lacks for several processes starting at once (gateway and converter):
 * a session advisory lock, and one transaction per file so a failed file leaves nothing behind.
 * Returns the names applied now.
 */
export async function migrate(sql: Sql): Promise<string[]> {
  const conn = await sql.reserve();
  try {
    await conn`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await conn`create table if not exists schema_migrations (
      name text primary key, applied_at timestamptz not null default now())`;
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith(".sql")).sort();
    const umzug = new Umzug({
      migrations: files.map((name) => ({
        name,
        up: async () => {
          const text = await readFile(path.join(MIGRATIONS_DIR, name), "utf8");
          // A reserved connection has no begin(): run the transaction by hand on it.
          await conn`begin`;
          try {
            await conn.unsafe(text);
            await conn`insert into schema_migrations (name) values (${name})`;
            await conn`commit`;
          } catch (err) {
            await conn`rollback`;
            throw err;
          }
        },
      })),
      storage: {
        // The row is written inside the migration's own transaction (above), so nothing to do here.
        logMigration: async () => {},
        unlogMigration: async ({ name }) => {
          await conn`delete from schema_migrations where name = ${name}`;
        },
        executed: async () =>
          (await conn<{ name: string }[]>`select name from schema_migrations order by name`).map(
            (r) => r.name,
          ),
      },
      logger: undefined,
    });
    return (await umzug.up()).map((m) => m.name);
  } finally {
    await conn`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.catch(() => {});
    conn.release();
  }
}

/** Names of the migration files shipped with this package, in order. */
export async function knownMigrations(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith(".sql")).sort();
}
