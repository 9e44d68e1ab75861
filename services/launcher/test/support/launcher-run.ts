// `pnpm start` as a user runs it, for the launcher suites: a child process, its output, its ports, and
// waits that fail at once (with that output) when the launcher exits instead of becoming ready.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";

const require = createRequire(import.meta.url);
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
export const ADMIN_PASSWORD = "admin-password-1";

export interface LauncherRun {
  child: ChildProcess;
  port: number;
  converterPort: number;
  metricsPort: number;
  output: () => string;
}

export interface LauncherOptions {
  dataDir: string;
  port?: number;
  converterPort?: number;
  nginx?: boolean;
  /** An existing database instead of the embedded one (when the embedded server is not the subject). */
  databaseUrl?: string;
}

/** The launcher (package.json's start script, minus pnpm), with no DATABASE_URL unless given. */
export async function startLauncher(opts: LauncherOptions): Promise<LauncherRun> {
  const port = opts.port ?? (await freePort());
  const converterPort = opts.converterPort ?? (await freePort());
  const metricsPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: opts.dataDir,
    PORT: String(port),
    CONVERTER_PORT: String(converterPort),
    METRICS_PORT: String(metricsPort),
    CONVERTER_METRICS_PORT: String(await freePort()),
    ADMIN_USERNAME: "admin",
    ADMIN_PASSWORD,
    LOG_LEVEL: "warn",
    GATEWAY_INTERNAL_PORT: String(await freePort()),
    // The suites check the launcher's own work without nginx in front unless they ask for it.
    ...(opts.nginx ? {} : { NGINX_BIN: path.join(root, "no-nginx-here") }),
  };
  delete env.DATABASE_URL;
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  delete env.INTERNAL_TOKEN;
  delete env.JWT_SECRET;
  const child = spawn(
    process.execPath,
    ["--import", require.resolve("tsx"), path.join(root, "services/launcher/src/main.ts")],
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  return { child, port, converterPort, metricsPort, output: () => output };
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

export function stop(child: ChildProcess): Promise<number | null> {
  const exited = exitOf(child);
  child.kill("SIGTERM");
  return exited;
}

const exited = (run: LauncherRun) => run.child.exitCode !== null || run.child.signalCode !== null;

/**
 * Until `check` holds while the launcher runs. A launcher that exits fails the wait at once, and any
 * failure carries the launcher's output: a slow machine gets a generous deadline, a crash no wait.
 */
export async function whileRunning(
  run: LauncherRun,
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 120_000,
): Promise<void> {
  await waitUntil(
    what,
    async () => {
      if (exited(run))
        throw new Error(`the launcher exited (${run.child.exitCode ?? run.child.signalCode}) before ${what}`);
      return check();
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n--- launcher output ---\n${run.output()}`);
  });
}

/** The gateway on PORT answers /ready with 200 (database and converter reachable). */
export async function waitReady(run: LauncherRun, timeoutMs?: number): Promise<Response> {
  let ready: Response | undefined;
  await whileRunning(
    run,
    "the gateway is ready",
    async () => {
      ready = await fetch(`http://127.0.0.1:${run.port}/ready`).catch(() => undefined);
      return ready?.status === 200;
    },
    timeoutMs,
  );
  return ready as Response;
}

/** The launcher's child processes (its services), with their command lines. */
export function childrenOf(pid: number): { pid: number; args: string }[] {
  return execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => ({ pid: Number(line.trim().split(/\s+/)[0]), args: line }));
}
