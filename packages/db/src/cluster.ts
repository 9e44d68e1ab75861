import type { Sql } from "./connect";

// Cluster administration for the embedded server of `pnpm start`, run as its superuser. Role and
// database names cannot be query parameters: format() quotes them (and the password) server-side.

/** Give `role` a new password. */
export async function setRolePassword(sql: Sql, role: string, password: string): Promise<void> {
  await runFormatted(sql, "alter role %I password %L", role, password);
}

export interface AppDatabase {
  role: string;
  password: string;
  database: string;
}

/**
 * The role the services connect as: it logs in with `password`, is no superuser, creates no roles
 * nor databases, and owns `database` (created if missing) and nothing else. No one but the
 * superuser connects to the maintenance database. Idempotent: run at every start.
 */
export async function provisionAppDatabase(sql: Sql, app: AppDatabase): Promise<void> {
  const [existing] = await sql`select 1 from pg_roles where rolname = ${app.role}`;
  await runFormatted(
    sql,
    `${existing ? "alter" : "create"} role %I login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password %L`,
    app.role,
    app.password,
  );
  const [database] = await sql`select 1 from pg_database where datname = ${app.database}`;
  if (!database) await runFormatted(sql, "create database %I owner %I", app.database, app.role);
  else await runFormatted(sql, "alter database %I owner to %I", app.database, app.role);
  await sql`revoke all on database postgres from public`;
}

/**
 * Hand the tables, views and sequences of the public schema to `role` (connected to its database).
 * A data directory made before the services had their own role holds the superuser's; a sequence
 * that belongs to a column follows its table.
 */
export async function adoptPublicRelations(sql: Sql, role: string): Promise<string[]> {
  const rows = await sql<{ name: string; kind: string }[]>`
    select c.relname as name, c.relkind as kind
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
      and pg_get_userbyid(c.relowner) <> ${role}
      and not exists (
        select 1 from pg_depend d
        where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i')
          and d.refclassid = 'pg_class'::regclass)
    order by c.relname`;
  for (const { name, kind } of rows) {
    const statement =
      kind === "S" ? "alter sequence public.%I owner to %I" : "alter table public.%I owner to %I";
    await runFormatted(sql, statement, name, role);
  }
  return rows.map((r) => r.name);
}

async function runFormatted(sql: Sql, template: string, ...args: string[]): Promise<void> {
  const placeholders = args.map((_, i) => `$${i + 2}::text`).join(", ");
  const [row] = await sql.unsafe<{ statement: string }[]>(
    `select format($1::text, ${placeholders}) as statement`,
    [template, ...args],
  );
  if (!row) throw new Error("format() returned nothing");
  await sql.unsafe(row.statement);
}
