import type { Sql } from "./connect";

export type Role = "admin" | "user";

export interface UserRecord {
  id: number;
  username: string;
  passwordHash: string;
  role: Role;
  /** Bumped by every password or role change (a trigger); tokens issued before it are refused. */
  credentialsVersion: number;
  createdAt: Date;
}

// bigint ids are returned as strings by postgres.js; they stay far below 2^53, so cast in SQL.
const USER_COLUMNS = "id::float8 as id, username, password_hash, role, credentials_version, created_at";

export async function findUserByName(sql: Sql, username: string): Promise<UserRecord | undefined> {
  // PostgreSQL text cannot hold U+0000, so no stored name has one; asking would fail (22021), not miss.
  if (username.includes("\0")) return undefined;
  const [row] = await sql<UserRecord[]>`
    select ${sql.unsafe(USER_COLUMNS)} from users where username = ${username}`;
  return row;
}

export async function findUserById(sql: Sql, id: number): Promise<UserRecord | undefined> {
  const [row] = await sql<UserRecord[]>`select ${sql.unsafe(USER_COLUMNS)} from users where id = ${id}`;
  return row;
}

/** Insert a user; undefined when the name is taken (the unique index decides, so races are safe). */
export async function createUser(
  sql: Sql,
  user: { username: string; passwordHash: string; role: Role },
): Promise<UserRecord | undefined> {
  const [row] = await sql<UserRecord[]>`
    insert into users (username, password_hash, role)
    values (${user.username}, ${user.passwordHash}, ${user.role})
    on conflict (username) do nothing
    returning ${sql.unsafe(USER_COLUMNS)}`;
  return row;
}

/** Create the admin, or make the existing user of that name an admin with this password. */
export async function upsertAdmin(sql: Sql, username: string, passwordHash: string): Promise<UserRecord> {
  const [row] = await sql<UserRecord[]>`
    insert into users (username, password_hash, role) values (${username}, ${passwordHash}, 'admin')
    on conflict (username) do update
      set password_hash = excluded.password_hash, role = 'admin', updated_at = now()
    returning ${sql.unsafe(USER_COLUMNS)}`;
  if (!row) throw new Error("upsert returned no row");
  return row;
}

export async function setUserPassword(sql: Sql, username: string, passwordHash: string): Promise<boolean> {
  const rows = await sql`
    update users set password_hash = ${passwordHash}, updated_at = now() where username = ${username}`;
  return rows.count === 1;
}

export async function listUsers(sql: Sql): Promise<Omit<UserRecord, "passwordHash">[]> {
  return sql`select id::float8 as id, username, role, created_at from users order by id`;
}

export async function removeUser(sql: Sql, username: string): Promise<boolean> {
  const rows = await sql`delete from users where username = ${username}`;
  return rows.count === 1;
}
