// `pnpm start` as a supervisor of its services: restarts, stops on signals, and no orphans.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { accepts, createTestDatabase, freePort } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyOf, emptyDataDir, makeTemplate, removeDir } from "./support/data-dir";
import { childrenOf, exitOf, root, startLauncher, waitReady, whileRunning } from "./support/launcher-run";

let template: string;
beforeAll(async () => {
  template = await makeTemplate();
}, 120_000);
afterAll(() => removeDir(template));

const pgPortOf = async (dataDir: string) =>
  Number((await readFile(path.join(dataDir, "postgres.port"), "utf8")).trim());

describe("pnpm start supervising its services", () => {
  it("restarts a converter killed with SIGKILL while the gateway keeps serving; a second SIGTERM while stopping still stops services and database", async () => {
    const dataDir = await copyOf(template, "restart");
    try {
      const run = await startLauncher({ dataDir });
      await waitReady(run);
      const launcherPid = run.child.pid ?? 0;
      const converter = childrenOf(launcherPid).find((c) => c.args.includes("img-converter"));
      expect(converter, run.output()).toBeDefined();
      process.kill(converter?.pid ?? 0, "SIGKILL");
      // Like restart: unless-stopped.
      await whileRunning(run, "the launcher restarts the converter", () =>
        run.output().includes("restarting it in"),
      );
      // The gateway never stopped: it answers while the converter is away and after it is back.
      expect((await fetch(`http://127.0.0.1:${run.port}/health`)).status).toBe(200);
      await waitReady(run);
      const again = childrenOf(launcherPid).find((c) => c.args.includes("img-converter"));
      expect(again?.pid).not.toBe(converter?.pid);
      expect(run.output()).toMatch(/img-converter exited unexpectedly \(killed by SIGKILL\)/);

      // Ctrl-C twice, or a supervisor that signals again while the launcher stops.
      const pgPort = await pgPortOf(dataDir);
      expect(await accepts(pgPort)).toBe(true);
      const exited = exitOf(run.child);
      run.child.kill("SIGTERM");
      await waitUntil("the launcher is stopping", () => run.output().includes("SIGTERM: stopping"));
      run.child.kill("SIGTERM");
      expect(await exited, run.output()).toBe(0);
      expect(run.output()).toContain("SIGTERM again");
      expect(await accepts(run.converterPort)).toBe(false);
      expect(await accepts(run.port)).toBe(false);
      expect(await accepts(pgPort)).toBe(false);
    } finally {
      await removeDir(dataDir);
    }
  }, 300_000);

  it("its services never outlive it: the launcher SIGKILLed while both cores are busy", async () => {
    // The database is not the subject here: the run's own server, so nothing outlives the test.
    const db = await createTestDatabase();
    const dataDir = await emptyDataDir("sigkill");
    const run = await startLauncher({ dataDir, databaseUrl: db.url });
    const burners: ReturnType<typeof spawn>[] = [];
    try {
      await waitReady(run);
      // Two busy loops: the stop happens on a machine with no idle core.
      for (const _ of [0, 1])
        burners.push(spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
      run.child.kill("SIGKILL");
      await waitUntil(
        "both services have stopped",
        async () => !(await accepts(run.port)) && !(await accepts(run.converterPort)),
        60_000,
      );
    } finally {
      for (const burner of burners) burner.kill("SIGKILL");
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL");
      await db.drop();
      await removeDir(dataDir);
    }
  }, 300_000);

  it("`pnpm start` itself: a SIGTERM to pnpm (a supervisor's stop) still stops everything", async () => {
    // pnpm relays the signal to the shell that runs the script; without `exec` in the script, that
    // shell (dash) dies at once and the launcher, its services and PostgreSQL keep running.
    const dataDir = await copyOf(template, "pnpm");
    const port = await freePort();
    const converterPort = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port) };
    env.CONVERTER_PORT = String(converterPort);
    env.METRICS_PORT = "0";
    env.CONVERTER_METRICS_PORT = "0";
    env.LOG_LEVEL = "warn";
    for (const name of ["DATABASE_URL", "INTERNAL_TOKEN", "JWT_SECRET", "npm_lifecycle_event"])
      delete env[name];
    // Its own process group, so that whatever it leaves behind can be found and killed below.
    const pnpm = spawn("pnpm", ["start"], { cwd: root, env, stdio: "ignore", detached: true });
    const group = pnpm.pid ?? 0;
    try {
      await waitUntil(
        "pnpm start is ready",
        async () => {
          if (pnpm.exitCode !== null) throw new Error(`pnpm start exited (${pnpm.exitCode})`);
          const ready = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
          return ready?.status === 200;
        },
        120_000,
      );
      const pgPort = await pgPortOf(dataDir);
      pnpm.kill("SIGTERM");
      const up = async () =>
        (await Promise.all([port, converterPort, pgPort].map((p) => accepts(p)))).filter(Boolean).length;
      await waitUntil(
        "every port has stopped accepting after SIGTERM",
        async () => (await up()) === 0,
        60_000,
      );
    } finally {
      try {
        process.kill(-group, "SIGKILL");
      } catch {
        // the group is empty: nothing was left behind
      }
      await removeDir(dataDir);
    }
  }, 300_000);
});
