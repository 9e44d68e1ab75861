import { randomBytes } from "node:crypto";
import { chmod, stat } from "node:fs/promises";
import path from "node:path";
import { loadOrCreateSecrets } from "@belfoot/config";
import { adoptPublicRelations, connect, provisionAppDatabase, type Sql, setRolePassword } from "@belfoot/db";
import { SUPERUSER, startEmbeddedPostgres, UnreachableDataDirError } from "@belfoot/pg-embedded";

/** Kept in DATA_DIR/secrets.json (0600) beside the generated tokens: one pair per data directory. */
export const SUPERUSER_SECRET = "EMBEDDED_PG_SUPERUSER_PASSWORD";
export const APP_SECRET = "EMBEDDED_PG_APP_PASSWORD";
/** The role and database the services use: the role owns the database and nothing else. */
export const APP_ROLE = "belfoot";
const APP_DATABASE = "belfoot";
/** The fixed superuser password of data directories made by earlier versions. */
const LEGACY_PASSWORD = "postgres";

export interface AppDatabaseServer {
  /** The services' URL: the application role on its own database. */
  url: string;
  role: string;
  stop(): Promise<void>;
}

export interface AppDatabaseOptions {
  /** DATA_DIR: the cluster goes in its `postgres` directory, the passwords in its secrets.json. */
  dataDir: string;
  port: number;
  log: (line: string) => void;
}

/**
 * The embedded PostgreSQL of `pnpm start`: its superuser's password random and kept in secrets.json,
 * the services' own role (no superuser) owning their database. A data directory from an earlier
 * version, whose superuser password was "postgres", gets the random one and its tables handed over.
 */
export async function startAppDatabase(opts: AppDatabaseOptions): Promise<AppDatabaseServer> {
  // Stored before they are used, so a crash between the two cannot lose a password already set.
  const secrets = loadOrCreateSecrets(opts.dataDir, [SUPERUSER_SECRET, APP_SECRET]);
  await letThroughDataDir(opts.dataDir, opts.log);
  // initdb reads its password from a world-readable temporary file: a one-time password goes there,
  // replaced by the kept one as soon as the server is up.
  const oneTime = randomBytes(24).toString("base64url");
  const server = await startEmbeddedPostgres({
    dataDir: path.join(opts.dataDir, "postgres"),
    port: opts.port,
    password: oneTime,
    database: APP_DATABASE,
  }).catch((err: unknown) => {
    throw err instanceof UnreachableDataDirError ? new Error(explainUnreachable(err)) : err;
  });
  try {
    const superuser = await superuserLogin(opts.port, [secrets[SUPERUSER_SECRET], oneTime, LEGACY_PASSWORD]);
    try {
      if (superuser.password !== secrets[SUPERUSER_SECRET]) {
        await setRolePassword(superuser.sql, SUPERUSER, secrets[SUPERUSER_SECRET]);
        if (superuser.password === LEGACY_PASSWORD)
          opts.log(
            `the embedded PostgreSQL's superuser had the fixed password of earlier versions: it now has a random one, kept in ${secretsFile(opts.dataDir)}`,
          );
      }
      await provisionAppDatabase(superuser.sql, {
        role: APP_ROLE,
        password: secrets[APP_SECRET],
        database: APP_DATABASE,
      });
    } finally {
      await superuser.sql.end();
    }
    const onAppDatabase = connect(urlOf(opts.port, SUPERUSER, secrets[SUPERUSER_SECRET], APP_DATABASE), {
      max: 1,
    });
    const adopted = await adoptPublicRelations(onAppDatabase, APP_ROLE).finally(() => onAppDatabase.end());
    if (adopted.length) opts.log(`tables handed to role ${APP_ROLE}: ${adopted.join(", ")}`);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    url: urlOf(opts.port, APP_ROLE, secrets[APP_SECRET], APP_DATABASE),
    role: APP_ROLE,
    stop: () => server.stop(),
  };
}

function urlOf(port: number, user: string, password: string, database: string): string {
  return `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

const secretsFile = (dataDir: string) => path.join(dataDir, "secrets.json");

/** The first password the superuser logs in with; a wrong one is SQLSTATE 28P01. */
async function superuserLogin(port: number, candidates: string[]): Promise<{ sql: Sql; password: string }> {
  for (const password of candidates) {
    const sql = connect(urlOf(port, SUPERUSER, password, "postgres"), { max: 1 });
    try {
      await sql`select 1`;
      return { sql, password };
    } catch (err) {
      await sql.end();
      if ((err as { code?: string }).code !== "28P01") throw err;
    }
  }
  throw new Error(
    `the embedded PostgreSQL's superuser refuses the password kept in the data directory's secrets.json; restore that file, or move its postgres directory away to start on an empty database`,
  );
}

/**
 * DATA_DIR is ours: the postgres user must be able to pass through it (o+x, not read) to its own
 * directory inside. Said on start-up when it is changed.
 */
async function letThroughDataDir(dataDir: string, log: (line: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const { mode } = await stat(dataDir);
  if ((mode & 0o001) !== 0) return;
  await chmod(dataDir, (mode & 0o7777) | 0o001);
  log(`${dataDir}: added o+x so that the postgres user can reach its data inside (it cannot list it)`);
}

function explainUnreachable(err: UnreachableDataDirError): string {
  const dir = err.blocked.path;
  return (
    `${err.message}. Either let it pass (it can then enter ${dir}, not list it): chmod o+x ${dir}; ` +
    `or set DATA_DIR to a directory it can reach, such as /var/lib/belfoot`
  );
}
