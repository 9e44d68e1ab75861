// `pnpm start` on a data directory an earlier version made: taken over, not started from scratch.
import { chmod, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { connect, createUser, listUsers, migrate } from "@belfoot/db";
import { startEmbeddedPostgres } from "@belfoot/pg-embedded";
import { freePort } from "@belfoot/testkit";
import { describe, expect, it } from "vitest";
import { emptyDataDir, expectPrivateDatabase, removeDir } from "./support/data-dir";
import { startLauncher, stop, waitReady } from "./support/launcher-run";

describe("pnpm start on an earlier version's data directory", () => {
  it("takes over a data directory of an earlier version: random superuser password, tables to the services' role", async () => {
    // What earlier versions left: a superuser with the password "postgres" that the services used.
    const legacyDir = await emptyDataDir("legacy");
    try {
      await chmod(legacyDir, 0o711);
      const pgPort = await freePort();
      await writeFile(path.join(legacyDir, "postgres.port"), `${pgPort}\n`);
      const old = await startEmbeddedPostgres({
        dataDir: path.join(legacyDir, "postgres"),
        port: pgPort,
        password: "postgres",
      });
      const oldSql = connect(old.url, { max: 1 });
      await migrate(oldSql);
      await createUser(oldSql, { username: "kept-editor", passwordHash: "not-a-real-hash", role: "user" });
      await oldSql.end();
      await old.stop();
      await writeFile(path.join(legacyDir, "database-url"), `${old.url}\n`, { mode: 0o600 });

      const run = await startLauncher({ dataDir: legacyDir });
      await waitReady(run);
      expect(run.output()).toContain("fixed password of earlier versions");
      await expectPrivateDatabase(legacyDir);
      const sql = connect((await readFile(path.join(legacyDir, "database-url"), "utf8")).trim(), { max: 1 });
      const names = (await listUsers(sql)).map((u) => u.username);
      await sql.end();
      expect(names).toContain("kept-editor");
      // The services write as their role: the start-up admin was created through it.
      expect(names).toContain("admin");
      expect(await stop(run.child), run.output()).toBe(0);
    } finally {
      await removeDir(legacyDir);
    }
  }, 300_000);
});
