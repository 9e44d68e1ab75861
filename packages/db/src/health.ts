import type { Sql } from "./connect";
import { knownMigrations } from "./migrate";

/** True when the database answers and every shipped migration has been applied. */
export async function databaseReady(sql: Sql): Promise<boolean> {
  try {
    const applied = await sql<{ name: string }[]>`select name from schema_migrations`;
    const names = new Set(applied.map((r) => r.name));
    return (await knownMigrations()).every((m) => names.has(m));
  } catch {
    return false;
  }
}
