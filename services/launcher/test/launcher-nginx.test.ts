// `pnpm start` with nginx installed: the shape production runs, nginx in front of admin-auth.
import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { corpusPath, createTestDatabase } from "@belfoot/testkit";
import { describe, expect, it } from "vitest";
import { findNginx } from "../src/nginx-files";
import { emptyDataDir, removeDir } from "./support/data-dir";
import { ADMIN_PASSWORD, startLauncher, stop, whileRunning } from "./support/launcher-run";

describe("pnpm start with nginx", () => {
  it.skipIf(!findNginx(process.env.NGINX_BIN))(
    "puts nginx in front when there is one: reads go through it, and a stop leaves no nginx process",
    async () => {
      const db = await createTestDatabase();
      const dir = await emptyDataDir("nginx");
      try {
        const run = await startLauncher({ nginx: true, databaseUrl: db.url, dataDir: dir });
        const origin = `http://127.0.0.1:${run.port}`;
        await whileRunning(run, "the launcher's banner", () => run.output().includes("listening on"));
        expect(run.output()).toMatch(/nginx \S+ in front/);
        expect(run.output()).toMatch(/admin-auth behind it on http:\/\/127\.0\.0\.1:\d+/);
        const admin = { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}` };
        const jpeg = await readFile(corpusPath("plasma-kite.jpg"));
        const stored = await fetch(`${origin}/img`, {
          method: "POST",
          headers: { ...admin, "content-type": "application/json" },
          body: JSON.stringify({ img: jpeg.toString("base64") }),
        });
        expect(stored.status).toBe(201);
        const { id } = (await stored.json()) as { id: number };
        const read = await fetch(`${origin}/img/${id}`, { headers: admin });
        expect(read.status).toBe(200);
        expect(read.headers.get("server")).toBe("nginx");
        expect((await read.arrayBuffer()).byteLength).toBeGreaterThan(0);
        // nginx sent the bytes from its cache, which lives under DATA_DIR/nginx.
        const cached = await readdir(path.join(dir, "nginx/image_cache"), {
          recursive: true,
          withFileTypes: true,
        });
        expect(cached.filter((entry) => entry.isFile()).length).toBe(1);

        const master = Number((await readFile(path.join(dir, "nginx/nginx.pid"), "utf8")).trim());
        const workers = execFileSync("ps", ["-o", "pid=", "--ppid", String(master)], { encoding: "utf8" })
          .split("\n")
          .map((line) => Number(line.trim()))
          .filter((pid) => pid > 0);
        expect(workers.length).toBeGreaterThan(0);
        expect(await stop(run.child), run.output()).toBe(0);
        for (const pid of [master, ...workers]) expect(() => process.kill(pid, 0), `nginx ${pid}`).toThrow();
      } finally {
        await removeDir(dir);
        await db.drop();
      }
    },
    300_000,
  );
});
