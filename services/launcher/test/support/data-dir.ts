// DATA_DIRs for the launcher suites: each test has its own, so none depends on another's leftovers.
// initdb is the slow part of a first start, so tests that need an initialised one copy a template.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "@belfoot/testkit";
import postgres from "postgres";
import { expect } from "vitest";
import { startAppDatabase } from "../../src/embedded-database";

const run = promisify(execFile);

/** An empty DATA_DIR (0700, as mkdtemp makes it: as root the launcher lets the postgres user pass). */
export function emptyDataDir(name: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `belfoot-launch-${name}-`));
}

/** What a first `pnpm start` leaves in DATA_DIR (cluster, roles, secrets), made once per file. */
export async function makeTemplate(): Promise<string> {
  const dir = await emptyDataDir("template");
  const server = await startAppDatabase({ dataDir: dir, port: await freePort(), log: () => {} });
  await server.stop();
  return dir;
}

/** A copy of the template (cp -a keeps the postgres user's ownership), on a port of its own. */
export async function copyOf(template: string, name: string): Promise<string> {
  const dir = await emptyDataDir(name);
  await run("cp", ["-a", `${template}/.`, dir]);
  await writeFile(path.join(dir, "postgres.port"), `${await freePort()}\n`);
  return dir;
}

export const removeDir = (dir: string | undefined) =>
  dir ? rm(dir, { recursive: true, force: true }) : Promise.resolve();

/**
 * The services connect as a role that is no superuser and owns their database and its tables; the
 * superuser's password is random, kept 0600 in secrets.json, and "postgres" opens nothing.
 */
export async function expectPrivateDatabase(dir: string): Promise<void> {
  const secretsFile = path.join(dir, "secrets.json");
  expect((await stat(secretsFile)).mode & 0o777).toBe(0o600);
  const secrets = JSON.parse(await readFile(secretsFile, "utf8"));
  const superuserPassword: string = secrets.EMBEDDED_PG_SUPERUSER_PASSWORD;
  expect(superuserPassword.length).toBeGreaterThanOrEqual(32);
  const pgPort = Number((await readFile(path.join(dir, "postgres.port"), "utf8")).trim());

  const url = (await readFile(path.join(dir, "database-url"), "utf8")).trim();
  expect(new URL(url).username).toBe("belfoot");
  const app = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [role] = await app<{ rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }[]>`
      select rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = current_user`;
    expect(role).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false });
    const [owner] = await app<{ owner: string }[]>`
      select pg_get_userbyid(datdba) as owner from pg_database where datname = current_database()`;
    expect(owner?.owner).toBe("belfoot");
    const tables = await app<{ tableowner: string }[]>`
      select tableowner from pg_tables where schemaname = 'public'`;
    expect(tables.length).toBeGreaterThan(0);
    expect(new Set(tables.map((t) => t.tableowner))).toEqual(new Set(["belfoot"]));
    // COPY … TO PROGRAM and reading other databases are a superuser's.
    await expect(app.unsafe("copy (select 1) to program 'true'")).rejects.toMatchObject({ code: "42501" });
  } finally {
    await app.end();
  }
  const superuser = (password: string) =>
    postgres(`postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/postgres`, {
      max: 1,
      onnotice: () => {},
    });
  const guessed = superuser("postgres");
  await expect(guessed`select 1`).rejects.toMatchObject({ code: "28P01" });
  await guessed.end();
  const kept = superuser(superuserPassword);
  const [me] = await kept<
    { rolsuper: boolean }[]
  >`select rolsuper from pg_roles where rolname = current_user`;
  await kept.end();
  expect(me?.rolsuper).toBe(true);
}
