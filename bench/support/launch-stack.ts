// The `pnpm start` stack for benchmarks: the launcher with both services as their own processes (so
// the load generator never shares an event loop with them), on a database of their own.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "@belfoot/db";
import { freePort } from "@belfoot/pg-embedded";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface LaunchedStack {
  /** admin-auth's base URL, e.g. http://127.0.0.1:PORT (no nginx). */
  url: string;
  /** The launcher's pid: its children are the services and the embedded PostgreSQL. */
  pid: number;
  /** "embedded" or the server DATABASE_URL named (never its password). */
  database: string;
  stop(): Promise<void>;
}

/**
 * With DATABASE_URL set: a fresh database on that server, dropped afterwards. Without: the
 * launcher's embedded PostgreSQL under a temporary DATA_DIR (what `pnpm start` does on a bare host).
 */
async function benchDatabase(serverUrl: string | undefined) {
  if (!serverUrl) return { url: "", label: "embedded", drop: async () => {} };
  const name = `belfoot_bench_${randomBytes(4).toString("hex")}`;
  const admin = connect(serverUrl, { max: 1 });
  await admin.unsafe(`create database ${name}`).finally(() => admin.end());
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    label: `${url.host}/${name}`,
    drop: async () => {
      const sql = connect(serverUrl, { max: 1 });
      await sql.unsafe(`drop database if exists ${name} with (force)`).finally(() => sql.end());
    },
  };
}

async function waitReady(url: string, launcher: ChildProcess) {
  for (let i = 0; i < 600; i++) {
    if (launcher.exitCode !== null) throw new Error("launcher exited");
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never became ready`);
}

export async function launchStack(env: Record<string, string>): Promise<LaunchedStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "belfoot-bench-"));
  const db = await benchDatabase(process.env.DATABASE_URL || undefined);
  const [port, converterPort] = [await freePort(), await freePort()];
  const launcher = spawn(
    process.execPath,
    ["--import", "tsx", path.join(root, "services/launcher/src/main.ts")],
    {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        DATA_DIR: dataDir,
        PORT: String(port),
        CONVERTER_PORT: String(converterPort),
        // The benchmarks read no metrics; the default ports could be another run's.
        METRICS_PORT: "0",
        CONVERTER_METRICS_PORT: "0",
        LOG_LEVEL: "warn",
        // The services alone: a benchmark that wants nginx starts its own (with its static block).
        NGINX_BIN: path.join(root, "no-nginx-here"),
        ...env,
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const exited = new Promise((r) => launcher.once("exit", r));
  const stop = async () => {
    if (launcher.exitCode === null) launcher.kill("SIGTERM");
    await exited;
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${url}/ready`, launcher);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: launcher.pid ?? 0, database: db.label, stop };
}
