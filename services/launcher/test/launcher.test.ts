import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { connect, createUser, listUsers, migrate } from "@belfoot/db";
import { startEmbeddedPostgres } from "@belfoot/pg-embedded";
import { accepts, corpusPath, createTestDatabase, freePort } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findNginx } from "../src/nginx-files";

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

/** `pnpm start` exactly as a user runs it, minus pnpm (package.json's start script), with no DATABASE_URL. */
async function startLauncher(
  ports: {
    port?: number;
    converterPort?: number;
    dataDir?: string;
    nginx?: boolean;
    databaseUrl?: string;
  } = {},
): Promise<{
  child: ChildProcess;
  port: number;
  converterPort: number;
  metricsPort: number;
  output: () => string;
}> {
  const port = ports.port ?? (await freePort());
  const converterPort = ports.converterPort ?? (await freePort());
  const metricsPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: ports.dataDir ?? dataDir,
    PORT: String(port),
    CONVERTER_PORT: String(converterPort),
    METRICS_PORT: String(metricsPort),
    CONVERTER_METRICS_PORT: String(await freePort()),
    ADMIN_USERNAME: "admin",
    ADMIN_PASSWORD: "admin-password-1",
    LOG_LEVEL: "warn",
    GATEWAY_INTERNAL_PORT: String(await freePort()),
    // The suites below check the launcher's own work without nginx in front unless they ask for it.
    ...(ports.nginx ? {} : { NGINX_BIN: path.join(root, "no-nginx-here") }),
  };
  delete env.DATABASE_URL;
  if (ports.databaseUrl) env.DATABASE_URL = ports.databaseUrl;
  delete env.INTERNAL_TOKEN;
  delete env.JWT_SECRET;
  const child = spawn(
    process.execPath,
    ["--import", require.resolve("tsx"), path.join(root, "services/launcher/src/main.ts")],
    {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  return { child, port, converterPort, metricsPort, output: () => output };
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

/**
 * The services connect as a role that is no superuser and owns their database and its tables; the
 * superuser's password is random, kept 0600 in secrets.json, and "postgres" opens nothing.
 */
async function expectPrivateDatabase(dir: string): Promise<void> {
  const secretsFile = path.join(dir, "secrets.json");
  expect((await stat(secretsFile)).mode & 0o777).toBe(0o600);
  const secrets = JSON.parse(await readFile(secretsFile, "utf8"));
  const superuserPassword: string = secrets.EMBEDDED_PG_SUPERUSER_PASSWORD;
  expect(superuserPassword.length).toBeGreaterThanOrEqual(32);
  const pgPort = Number((await readFile(path.join(dir, "postgres.port"), "utf8")).trim());

  const url = (await readFile(path.join(dir, "database-url"), "utf8")).trim();
  expect(new URL(url).username).toBe("belfoot");
  const app = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [role] = await app<{ rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }[]>`
      select rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = current_user`;
    expect(role).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false });
    const [owner] = await app<{ owner: string }[]>`
      select pg_get_userbyid(datdba) as owner from pg_database where datname = current_database()`;
    expect(owner?.owner).toBe("belfoot");
    const tables = await app<{ tableowner: string }[]>`
      select tableowner from pg_tables where schemaname = 'public'`;
    expect(tables.length).toBeGreaterThan(0);
    expect(new Set(tables.map((t) => t.tableowner))).toEqual(new Set(["belfoot"]));
    // COPY … TO PROGRAM and reading other databases are a superuser's.
    await expect(app.unsafe("copy (select 1) to program 'true'")).rejects.toMatchObject({ code: "42501" });
  } finally {
    await app.end();
  }
  const superuser = (password: string) =>
    postgres(`postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/postgres`, {
      max: 1,
      onnotice: () => {},
    });
  const guessed = superuser("postgres");
  await expect(guessed`select 1`).rejects.toMatchObject({ code: "28P01" });
  await guessed.end();
  const kept = superuser(superuserPassword);
  const [me] = await kept<
    { rolsuper: boolean }[]
  >`select rolsuper from pg_roles where rolname = current_user`;
  await kept.end();
  expect(me?.rolsuper).toBe(true);
}

// One data directory for the file: the first test starts on it fresh and again on what it left.
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "belfoot-launch-"));
});
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("pnpm start (launcher)", () => {
  it.skipIf(!findNginx(process.env.NGINX_BIN))(
    "puts nginx in front when there is one: reads go through it, and a stop leaves no nginx process",
    async () => {
      const db = await createTestDatabase();
      const dir = await mkdtemp(path.join(tmpdir(), "belfoot-launch-nginx-"));
      try {
        const run = await startLauncher({ nginx: true, databaseUrl: db.url, dataDir: dir });
        const origin = `http://127.0.0.1:${run.port}`;
        await waitUntil("the launcher's banner", () => run.output().includes("listening on"), 90_000).catch(
          (err: Error) => {
            throw new Error(`${err.message}\n${run.output()}`);
          },
        );
        expect(run.output()).toMatch(/nginx \S+ in front/);
        expect(run.output()).toMatch(/admin-auth behind it on http:\/\/127\.0\.0\.1:\d+/);
        const admin = { authorization: `Basic ${Buffer.from("admin:admin-password-1").toString("base64")}` };
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
        await rm(dir, { recursive: true, force: true });
        await db.drop();
      }
    },
    180_000,
  );

  it("runs both services on an embedded PostgreSQL, stops cleanly, and restarts on the same data", async () => {
    const first = await startLauncher();
    const ready = await waitFor(`http://127.0.0.1:${first.port}/ready`, 90_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${first.output()}`);
    });
    expect(await ready.json()).toMatchObject({ checks: { database: true, converter: true } });
    // The banner follows the gateway's health by a moment.
    await waitUntil("the launcher prints its banner", () => first.output().includes("listening on"));
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
    await expectPrivateDatabase(dataDir);
    // Metrics on their own port, not on the public one.
    const scraped = await (await fetch(`http://127.0.0.1:${first.metricsPort}/metrics`)).text();
    expect(scraped).toMatch(/belfoot_http_requests_total\{[^}]*route="\/auth"[^}]*\} 1/);
    expect((await fetch(`http://127.0.0.1:${first.port}/metrics`)).status).toBe(404);
    const firstExit = await stop(first.child);
    expect(firstExit, first.output()).toBe(0);
    await expect(fetch(`http://127.0.0.1:${first.port}/health`)).rejects.toThrow();

    const second = await startLauncher();
    await waitFor(`http://127.0.0.1:${second.port}/ready`, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${second.output()}`);
    });
    expect(await readFile(path.join(dataDir, "secrets.json"), "utf8")).toBe(secrets);
    expect(second.output()).not.toContain("migrations applied");
    expect(await stop(second.child)).toBe(0);
  }, 180_000);

  it("restarts a converter killed with SIGKILL while the gateway keeps serving, like restart: unless-stopped", async () => {
    const run = await startLauncher();
    await waitFor(`http://127.0.0.1:${run.port}/ready`, 90_000);
    // The launcher runs the services as its children.
    const children = (pid: number) =>
      execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" })
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => ({ pid: Number(line.trim().split(/\s+/)[0]), args: line }));
    const launcher = { pid: run.child.pid };
    const converter = children(launcher?.pid ?? 0).find((c) => c.args.includes("img-converter"));
    expect(converter, run.output()).toBeDefined();
    process.kill(converter?.pid ?? 0, "SIGKILL");
    await waitUntil(
      "the launcher restarts the converter",
      () => run.output().includes("restarting it in"),
      30_000,
    );
    // The gateway never stopped: it answers while the converter is away and after it is back.
    expect((await fetch(`http://127.0.0.1:${run.port}/health`)).status).toBe(200);
    await waitUntil(
      "the new converter is ready",
      async () => {
        const ready = await fetch(`http://127.0.0.1:${run.port}/ready`).catch(() => undefined);
        return ready?.status === 200;
      },
      90_000,
    );
    const again = children(launcher?.pid ?? 0).find((c) => c.args.includes("img-converter"));
    expect(again?.pid).not.toBe(converter?.pid);
    expect(run.output()).toMatch(/img-converter exited unexpectedly \(killed by SIGKILL\)/);
    expect(await stop(run.child), run.output()).toBe(0);
  }, 240_000);

  it("a second SIGTERM while stopping still stops the services and the database before exiting", async () => {
    // Ctrl-C twice, or a supervisor that signals again while the launcher stops.
    const run = await startLauncher();
    await waitFor(`http://127.0.0.1:${run.port}/ready`, 60_000);
    const pgPort = Number((await readFile(path.join(dataDir, "postgres.port"), "utf8")).trim());
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
  }, 120_000);

  it("its services never outlive it: the launcher SIGKILLed while both cores are busy", async () => {
    const run = await startLauncher();
    // Two busy loops: the stop happens on a machine with no idle core.
    const burners = [0, 1].map(() => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
    try {
      await waitFor(`http://127.0.0.1:${run.port}/ready`, 90_000);
      run.child.kill("SIGKILL");
      await waitUntil(
        "both services have stopped",
        async () => !(await accepts(run.port)) && !(await accepts(run.converterPort)),
        60_000,
      );
    } finally {
      for (const burner of burners) burner.kill("SIGKILL");
      // The database outlives a SIGKILLed launcher (it stops it on the next start): stop it here.
      const pidFile = await readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").catch(
        () => "",
      );
      const pgPid = Number(pidFile.split("\n")[0]);
      if (pgPid > 0) {
        try {
          process.kill(pgPid, "SIGINT");
        } catch {
          // already gone
        }
        await waitUntil("the database has stopped", () => {
          try {
            process.kill(pgPid, 0);
            return false;
          } catch {
            return true;
          }
        });
      }
    }
  }, 180_000);

  it("`pnpm start` itself: a SIGTERM to pnpm (a supervisor's stop) still stops everything", async () => {
    // pnpm relays the signal to the shell that runs the script; without `exec` in the script, that
    // shell (dash) dies at once and the launcher, its services and PostgreSQL keep running.
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
      await waitFor(`http://127.0.0.1:${port}/ready`, 90_000);
      const pgPort = Number((await readFile(path.join(dataDir, "postgres.port"), "utf8")).trim());
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

  it("takes over a data directory of an earlier version: random superuser password, tables to the services' role", async () => {
    // What earlier versions left: a superuser with the password "postgres" that the services used.
    const legacyDir = await mkdtemp(path.join(tmpdir(), "belfoot-launch-legacy-"));
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
      await waitFor(`http://127.0.0.1:${run.port}/ready`, 90_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${run.output()}`);
      });
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
      await rm(legacyDir, { recursive: true, force: true });
    }
  }, 180_000);

  it.runIf(process.getuid?.() === 0)(
    "as root, stops and says how to fix it when the postgres user cannot reach DATA_DIR, changing no permission",
    async () => {
      const parent = await mkdtemp(path.join(tmpdir(), "belfoot-launch-closed-"));
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
        await rm(parent, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
