import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** A URL on the run's PostgreSQL server with the right to create databases. */
    pgAdminUrl: string;
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** The server the global setup chose for this run (DATABASE_URL, a container, or embedded). */
export function serverUrl(): string {
  const url = inject("pgAdminUrl") ?? process.env.DATABASE_URL;
  if (!url) throw new Error("no PostgreSQL for tests: the vitest global setup did not provide one");
  return url;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A fresh, uniquely named database on the run's server, so test files run in parallel without
 * seeing each other's rows. drop() ends leftover connections first.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = postgres(serverUrl(), { max: 1, onnotice: () => {} });
  const name = `belfoot_t_${randomBytes(6).toString("hex")}`;
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(serverUrl(), name),
    async drop() {
      const sql = postgres(serverUrl(), { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await sql.end();
      }
    },
  };
}

/** Rows in `images`: tests check that a refused or failed request stored nothing. */
export async function countImages(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from images`;
  return row?.n ?? 0;
}
