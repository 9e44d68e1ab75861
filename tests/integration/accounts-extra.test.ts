import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "@belfoot/logging";
import { freePort } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rotatedCopies, tailRotated } from "../../services/admin-auth/src/logs/tail-lines";
import { http } from "../support/http";
import { type Stack, startStack } from "../support/stack";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    // Trusting the local proxy lets the blocking test below fail from an address of its own.
    env: { REGISTRATION: "open", LOGIN_FAILURES_PER_IP: "8", TRUST_PROXY: "127.0.0.1" },
  });
});
afterAll(async () => stack?.close());

/** `pnpm user …` as a shell runs it: the CLI with the password on stdin. */
function userCli(
  args: string[],
  stdin = "",
  env: NodeJS.ProcessEnv = { DATABASE_URL: stack.config.DATABASE_URL, DATA_DIR: stack.config.DATA_DIR },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", path.join(root, "services/admin-auth/src/cli/user.ts"), ...args],
      { env: { ...process.env, DATABASE_URL: undefined, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

const login = (user_name: string, password: string, headers: Record<string, string> = {}) =>
  http(`${stack.url}/auth`, { json: { user_name, password }, headers });

describe("REGISTRATION=open", () => {
  it("lets anyone register, as the original service did", async () => {
    const res = await http(`${stack.url}/registration`, {
      json: { user_name: "walk-in", password: "walk-in-password" },
    });
    expect(res.status).toBe(201);
    expect((await login("walk-in", "walk-in-password")).status).toBe(200);
  });
});

// The unreachable-database case runs on a DATA_DIR and port of its own: it overlaps the account steps.
describe.concurrent("pnpm user", () => {
  it("says the database is not reachable, and what to do, when it is stopped", async () => {
    const closed = await freePort();
    const dataDir = await mkdtemp(path.join(tmpdir(), "belfoot-cli-"));
    try {
      // What `pnpm start` leaves behind once stopped: the embedded server's URL, nobody listening.
      await writeFile(
        path.join(dataDir, "database-url"),
        `postgres://belfoot:secret-pw@127.0.0.1:${closed}/belfoot\n`,
      );
      const embedded = await userCli(["list"], "", { DATA_DIR: dataDir });
      expect(embedded.code).toBe(1);
      expect(embedded.stderr).toContain("the database is not reachable");
      expect(embedded.stderr).toContain("start it");
      const given = await userCli(["list"], "", {
        DATA_DIR: dataDir,
        DATABASE_URL: `postgres://someone:secret-pw@127.0.0.1:${closed}/db`,
      });
      expect(given.code).toBe(1);
      expect(given.stderr).toContain(`the database at 127.0.0.1:${closed} (DATABASE_URL) is not reachable`);
      expect(embedded.stderr + given.stderr).not.toContain("secret-pw");
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("adds, lists, changes the password of and removes users; passwords come from stdin", async () => {
    const added = await userCli(["add", "cli-admin", "--admin"], "cli-password-1\n");
    expect(added).toMatchObject({ code: 0 });
    expect(added.stdout).toMatch(/added admin cli-admin/);
    expect((await login("cli-admin", "cli-password-1")).json.token).toBeTruthy();

    const list = await userCli(["list"]);
    expect(list.stdout).toMatch(/\tcli-admin\tadmin\t/);

    expect((await userCli(["passwd", "cli-admin"], "cli-password-2\n")).code).toBe(0);
    expect((await login("cli-admin", "cli-password-1")).status).toBe(401);
    expect((await login("cli-admin", "cli-password-2")).status).toBe(200);

    expect((await userCli(["add", "cli-weak"], "short\n")).stderr).toMatch(/at least 10 characters/);
    expect((await userCli(["add", "cli-admin"], "another-password\n")).stderr).toMatch(/already exists/);
    expect((await userCli(["remove", "cli-admin"])).code).toBe(0);
    expect((await login("cli-admin", "cli-password-2")).status).toBe(401);
    expect((await userCli(["frobnicate"])).code).toBe(2);
    // Nine CLI processes, each starting tsx: several seconds apiece on a loaded machine.
  }, 180_000);
});

describe("failed logins per IP", () => {
  it("blocks an address that fails across many names, with 429 and Retry-After", async () => {
    // Its own address (through the trusted proxy), so the block never reaches the other tests' logins.
    const from = { "x-forwarded-for": "203.0.113.77" };
    let failures = 0;
    while ((await login(`nobody-${failures}`, "wrong-password-x", from)).status === 401) failures++;
    expect(failures).toBeLessThanOrEqual(8);
    const blocked = await login("walk-in", "walk-in-password", from);
    expect(blocked.status).toBe(429);
    expect(blocked.json.code).toBe("too_many_failed_logins");
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
  });
});

describe("log files", () => {
  it("rotate by size, keeping the live file's name and numbered copies", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "belfoot-rotate-"));
    const logger = createLogger({
      name: "rotate",
      level: "info",
      logDir: dir,
      rotateSize: "1K",
      maxFiles: 3,
    });
    for (let i = 0; i < 60; i++) logger.info({ i, pad: "x".repeat(40) }, "line");
    // The file streams write asynchronously: wait until the last line is in the live file.
    const live = path.join(dir, "info.log");
    await waitUntil("the last line reaches the live log file", async () =>
      (await readFile(live, "utf8").catch(() => "")).includes('"i":59,'),
    );
    const files = await readdir(dir);
    expect(files).toContain("info.log");
    const copies = await rotatedCopies(path.join(dir, "info.log"));
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.length).toBeLessThanOrEqual(3);
    // Reading across the copies gives the newest lines in order, the live file's last.
    const lines = (await tailRotated([path.join(dir, "info.log"), ...copies], 20)).map(
      (l) => JSON.parse(l).i,
    );
    expect(lines).toEqual(Array.from({ length: 20 }, (_, k) => 40 + k));
  });
});
