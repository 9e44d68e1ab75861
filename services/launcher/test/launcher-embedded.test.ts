// `pnpm start` with no DATABASE_URL: the embedded PostgreSQL it makes and keeps private.
import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { accepts, freePort } from "@belfoot/testkit";
import { describe, expect, it } from "vitest";
import { emptyDataDir, expectPrivateDatabase, removeDir } from "./support/data-dir";
import { ADMIN_PASSWORD, exitOf, startLauncher, stop, waitReady, whileRunning } from "./support/launcher-run";

describe("pnpm start on an embedded PostgreSQL", () => {
  it("runs both services on a new data directory, stops cleanly, and restarts on the same data", async () => {
    const dataDir = await emptyDataDir("fresh");
    try {
      const first = await startLauncher({ dataDir });
      const ready = await waitReady(first);
      expect(await ready.json()).toMatchObject({ checks: { database: true, converter: true } });
      // The banner follows the gateway's health by a moment.
      await whileRunning(first, "the launcher prints its banner", () =>
        first.output().includes("listening on"),
      );
      expect(first.output()).toContain(`listening on http://127.0.0.1:${first.port}`);
      expect(first.output()).toContain(`data: ${dataDir}`);
      const secrets = await readFile(path.join(dataDir, "secrets.json"), "utf8");
      // The admin can sign in: a token proves the database and JWT secret work together.
      const auth = await fetch(`http://127.0.0.1:${first.port}/auth`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user_name: "admin", password: ADMIN_PASSWORD }),
      });
      expect(auth.status).toBe(200);
      await expectPrivateDatabase(dataDir);
      // Metrics on their own port, not on the public one.
      const scraped = await (await fetch(`http://127.0.0.1:${first.metricsPort}/metrics`)).text();
      expect(scraped).toMatch(/belfoot_http_requests_total\{[^}]*route="\/auth"[^}]*\} 1/);
      expect((await fetch(`http://127.0.0.1:${first.port}/metrics`)).status).toBe(404);
      expect(await stop(first.child), first.output()).toBe(0);
      await expect(fetch(`http://127.0.0.1:${first.port}/health`)).rejects.toThrow();

      const second = await startLauncher({ dataDir });
      await waitReady(second);
      expect(await readFile(path.join(dataDir, "secrets.json"), "utf8")).toBe(secrets);
      expect(second.output()).not.toContain("migrations applied");
      expect(await stop(second.child), second.output()).toBe(0);
    } finally {
      await removeDir(dataDir);
    }
  }, 300_000);

  it("refuses to start, touching nothing, when a service's port is already taken", async () => {
    const dataDir = await emptyDataDir("taken");
    const squatter = createServer();
    const converterPort = await freePort();
    await new Promise<void>((resolve) => squatter.listen(converterPort, "127.0.0.1", resolve));
    try {
      const run = await startLauncher({ dataDir, converterPort });
      expect(await exitOf(run.child)).toBe(1);
      expect(run.output()).toContain(`CONVERTER_PORT 127.0.0.1:${converterPort} is already in use`);
      expect(run.output()).not.toContain("starting embedded PostgreSQL");
      expect(await accepts(run.port)).toBe(false);
    } finally {
      await new Promise((r) => squatter.close(r));
      await removeDir(dataDir);
    }
  }, 60_000);

  it.runIf(process.getuid?.() === 0)(
    "as root, stops and says how to fix it when the postgres user cannot reach DATA_DIR, changing no permission",
    async () => {
      const parent = await emptyDataDir("closed");
      try {
        await chmod(parent, 0o700);
        const closedDir = path.join(parent, "data");
        await mkdir(closedDir);
        const run = await startLauncher({ dataDir: closedDir });
        expect(await exitOf(run.child), run.output()).toBe(1);
        expect(run.output()).toContain(`cannot enter ${parent} (mode 0700)`);
        expect(run.output()).toContain(`chmod o+x ${parent}`);
        expect(run.output()).toContain("set DATA_DIR to a directory it can reach");
        expect((await stat(parent)).mode & 0o7777).toBe(0o700);
        expect(await accepts(run.port)).toBe(false);
      } finally {
        await removeDir(parent);
      }
    },
    60_000,
  );
});
