import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { accepts, freePort } from "@belfoot/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
let dataDir: string;

async function waitFor(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return res;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * `pnpm start` exactly as a user runs it, minus pnpm: the tsx CLI (package.json's start script), which
 * runs the launcher in a child process and relays signals to it, with no DATABASE_URL.
 */
async function startLauncher(
  ports: { port?: number; converterPort?: number } = {},
): Promise<{ child: ChildProcess; port: number; converterPort: number; output: () => string }> {
  const port = ports.port ?? (await freePort());
  const converterPort = ports.converterPort ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    CONVERTER_PORT: String(converterPort),
    ADMIN_USERNAME: "admin",
    ADMIN_PASSWORD: "admin-password-1",
    LOG_LEVEL: "warn",
  };
  delete env.DATABASE_URL;
  delete env.INTERNAL_TOKEN;
  delete env.JWT_SECRET;
  const child = spawn(
    process.execPath,
    [require.resolve("tsx/cli"), path.join(root, "services/launcher/src/main.ts")],
    {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  return { child, port, converterPort, output: () => output };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  const exited = exitOf(child);
  child.kill("SIGTERM");
  return exited;
}

// One data directory for the file: the first test starts on it fresh and again on what it left.
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "belfoot-launch-"));
});
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("pnpm start (launcher)", () => {
  it("runs both services on an embedded PostgreSQL, stops cleanly, and restarts on the same data", async () => {
    const first = await startLauncher();
    const ready = await waitFor(`http://127.0.0.1:${first.port}/ready`, 90_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${first.output()}`);
    });
    expect(await ready.json()).toMatchObject({ checks: { database: true, converter: true } });
    // The banner follows the gateway's health by a moment.
    for (let i = 0; i < 40 && !first.output().includes("listening on"); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(first.output()).toContain(`listening on http://127.0.0.1:${first.port}`);
    expect(first.output()).toContain(`data: ${dataDir}`);
    const secrets = await readFile(path.join(dataDir, "secrets.json"), "utf8");
    // The admin can sign in: a token proves the database and JWT secret work together.
    const auth = await fetch(`http://127.0.0.1:${first.port}/auth`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_name: "admin", password: "admin-password-1" }),
    });
    expect(auth.status).toBe(200);
    const firstExit = await stop(first.child);
    expect(firstExit, first.output()).toBe(0);
    await expect(fetch(`http://127.0.0.1:${first.port}/health`)).rejects.toThrow();

    const second = await startLauncher();
    await waitFor(`http://127.0.0.1:${second.port}/ready`, 60_000);
    expect(await readFile(path.join(dataDir, "secrets.json"), "utf8")).toBe(secrets);
    expect(second.output()).not.toContain("migrations applied");
    expect(await stop(second.child)).toBe(0);
  }, 180_000);

  it("a second SIGTERM while stopping still stops the services and the database before exiting", async () => {
    // `pkill -f services/launcher` signals tsx and the launcher, and tsx relays its signal: two.
    const run = await startLauncher();
    await waitFor(`http://127.0.0.1:${run.port}/ready`, 60_000);
    const pgPort = Number((await readFile(path.join(dataDir, "postgres.port"), "utf8")).trim());
    expect(await accepts(pgPort)).toBe(true);
    const exited = exitOf(run.child);
    run.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 50));
    run.child.kill("SIGTERM");
    expect(await exited, run.output()).toBe(0);
    expect(run.output()).toContain("SIGTERM again");
    expect(await accepts(run.converterPort)).toBe(false);
    expect(await accepts(run.port)).toBe(false);
    expect(await accepts(pgPort)).toBe(false);
  }, 120_000);

  it("`pnpm start` itself: a SIGTERM to pnpm (a supervisor's stop) still stops everything", async () => {
    // pnpm relays the signal to the shell that runs the script; without `exec` in the script, that
    // shell (dash) dies at once and the launcher, its services and PostgreSQL keep running.
    const port = await freePort();
    const converterPort = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port) };
    env.CONVERTER_PORT = String(converterPort);
    env.LOG_LEVEL = "warn";
    for (const name of ["DATABASE_URL", "INTERNAL_TOKEN", "JWT_SECRET", "npm_lifecycle_event"])
      delete env[name];
    // Its own process group, so that whatever it leaves behind can be found and killed below.
    const pnpm = spawn("pnpm", ["start"], { cwd: root, env, stdio: "ignore", detached: true });
    const group = pnpm.pid ?? 0;
    try {
      await waitFor(`http://127.0.0.1:${port}/ready`, 90_000);
      const pgPort = Number((await readFile(path.join(dataDir, "postgres.port"), "utf8")).trim());
      pnpm.kill("SIGTERM");
      const deadline = Date.now() + 30_000;
      const up = async () =>
        (await Promise.all([port, converterPort, pgPort].map((p) => accepts(p)))).filter(Boolean).length;
      while ((await up()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(await up(), "ports still accepting 30 s after SIGTERM").toBe(0);
    } finally {
      try {
        process.kill(-group, "SIGKILL");
      } catch {
        // the group is empty: nothing was left behind
      }
    }
  }, 150_000);

  it("refuses to start, touching nothing, when a service's port is already taken", async () => {
    const squatter = createServer();
    const converterPort = await freePort();
    await new Promise<void>((resolve) => squatter.listen(converterPort, "127.0.0.1", resolve));
    try {
      const run = await startLauncher({ converterPort });
      expect(await exitOf(run.child)).toBe(1);
      expect(run.output()).toContain(`CONVERTER_PORT 127.0.0.1:${converterPort} is already in use`);
      expect(run.output()).not.toContain("starting embedded PostgreSQL");
      expect(await accepts(run.port)).toBe(false);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  }, 60_000);
});
