import { spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setUserPassword } from "@belfoot/db";
import { createTestDatabase, freePort } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, bearer, http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let stack: Stack;
let adminId = 0;

beforeAll(async () => {
  // "90" is documented as seconds: every token this file gets from /auth must work at once.
  stack = await startStack({ env: { JWT_TTL: "90" } });
  const [row] = await stack.sql<
    { id: number }[]
  >`select id::int as id from users where username = ${ADMIN.username}`;
  adminId = row?.id ?? 0;
});
afterAll(async () => stack?.close());

const b64url = (value: string) => Buffer.from(value).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
/** An HS256 token signed with the stack's real secret. */
function signed(payload: object): string {
  const head = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify(payload))}`;
  return `${head}.${createHmac("sha256", stack.config.JWT_SECRET).update(head).digest("base64url")}`;
}
const decode = (token: string) => JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());

async function register(name: string, password: string): Promise<void> {
  const res = await http(`${stack.url}/registration`, {
    json: { user_name: name, password },
    headers: basic(ADMIN.username, ADMIN.password),
  });
  expect(res.status).toBe(201);
}
async function tokenFor(url: string, name: string, password: string) {
  const res = await http(`${url}/auth`, { json: { user_name: name, password } });
  expect(res.status).toBe(200);
  return { token: res.json.token as string, expiresIn: res.json.expires_in as number };
}
/** GET /info: 200 for an admin's valid token, 403 for a user's, 401 for a refused token. */
const infoStatus = async (url: string, token: string) =>
  (await http(`${url}/info`, { headers: bearer(token) })).status;

describe("token claims", () => {
  it("a signed token with the admin's real claims is accepted (the control)", async () => {
    const { token } = await tokenFor(stack.url, ADMIN.username, ADMIN.password);
    const claims = decode(token);
    expect(await infoStatus(stack.url, signed({ ...claims, iat: now(), exp: now() + 60 }))).toBe(200);
  });

  it("a signed token without exp is refused: it would never expire", async () => {
    const { token } = await tokenFor(stack.url, ADMIN.username, ADMIN.password);
    const { exp: _exp, ...claims } = decode(token);
    const res = await http(`${stack.url}/info`, { headers: bearer(signed({ ...claims, iat: now() })) });
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("invalid_token");
  });

  it("a signed token whose sub only converts to the admin's id is refused", async () => {
    const { token } = await tokenFor(stack.url, ADMIN.username, ADMIN.password);
    const claims = decode(token);
    for (const sub of [
      `${adminId}.0`,
      `${adminId}e0`,
      ` ${adminId}`,
      `+${adminId}`,
      `0${adminId}`,
      adminId,
    ]) {
      expect(
        await infoStatus(stack.url, signed({ ...claims, sub, iat: now(), exp: now() + 60 })),
        String(sub),
      ).toBe(401);
    }
  });
});

describe("tokens and credential changes", () => {
  it("a password change voids the tokens issued before it; one issued right after works", async () => {
    await register("changing-user", "first-password-1");
    const before = await tokenFor(stack.url, "changing-user", "first-password-1");
    expect(await infoStatus(stack.url, before.token)).toBe(403);
    // The same function `pnpm user passwd` runs.
    const { hashPassword } = await import("../../services/admin-auth/src/auth/passwords");
    expect(await setUserPassword(stack.sql, "changing-user", await hashPassword("second-password-2"))).toBe(
      true,
    );
    // The gateway hears of the change through the database's change feed: at once, and surely within 1 s.
    await waitUntil(
      "the old token is refused",
      async () => (await infoStatus(stack.url, before.token)) === 401,
      1000,
    );
    // Issued within the same second as the change: still valid (the check is not a timestamp).
    const after = await tokenFor(stack.url, "changing-user", "second-password-2");
    expect(await infoStatus(stack.url, after.token)).toBe(403);
  });

  it("a role change voids the tokens issued before it", async () => {
    await register("promoted-user", "promoted-password-1");
    const before = await tokenFor(stack.url, "promoted-user", "promoted-password-1");
    expect(await infoStatus(stack.url, before.token)).toBe(403);
    await stack.sql`update users set role = 'admin' where username = 'promoted-user'`;
    await waitUntil(
      "the old token is refused",
      async () => (await infoStatus(stack.url, before.token)) === 401,
      1000,
    );
    const after = await tokenFor(stack.url, "promoted-user", "promoted-password-1");
    expect(await infoStatus(stack.url, after.token)).toBe(200);
  });

  it("a gateway restart with the same ADMIN_PASSWORD keeps the admin's tokens valid", async () => {
    const { token } = await tokenFor(stack.url, ADMIN.username, ADMIN.password);
    const again = await startStack({
      databaseUrl: stack.config.DATABASE_URL,
      env: { JWT_SECRET: stack.config.JWT_SECRET },
    });
    try {
      expect(await infoStatus(again.url, token)).toBe(200);
    } finally {
      await again.close();
    }
  });
});

describe("JWT_TTL", () => {
  it("is seconds: a 90 s token says so and works", async () => {
    const { token, expiresIn } = await tokenFor(stack.url, ADMIN.username, ADMIN.password);
    const claims = decode(token);
    expect(expiresIn).toBe(90);
    expect(claims.exp - claims.iat).toBe(90);
    expect(await infoStatus(stack.url, token)).toBe(200);
  });

  it("a token from JWT_TTL=2 works, then is refused once its 2 s are over", async () => {
    const short = await startStack({ env: { JWT_TTL: "2" } });
    try {
      const { token, expiresIn } = await tokenFor(short.url, ADMIN.username, ADMIN.password);
      const { exp, iat } = decode(token);
      expect([expiresIn, exp - iat]).toEqual([2, 2]);
      expect(await infoStatus(short.url, token)).toBe(200);
      const deadline = Date.now() + 15_000;
      let status = 200;
      while (status === 200 && Date.now() < deadline) {
        status = await infoStatus(short.url, token);
        if (status === 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(401);
      // Refused no earlier than the exp it carries.
      expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
    } finally {
      await short.close();
    }
  });
});

describe("start-up refuses unsafe settings", () => {
  /** Start the real gateway process with env on a fresh database; its exit code and what it said. */
  async function startGateway(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    const db = await createTestDatabase();
    const dataDir = await mkdtemp(path.join(tmpdir(), "belfoot-refuse-"));
    try {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", path.join(root, "services/admin-auth/src/main.ts")],
        {
          env: {
            ...process.env,
            DATABASE_URL: db.url,
            DATA_DIR: dataDir,
            PORT: String(await freePort()),
            LOG_LEVEL: "error",
            INTERNAL_TOKEN: randomBytes(32).toString("hex"),
            JWT_SECRET: randomBytes(32).toString("hex"),
            WEBHOOK_SECRET: `whsec_${randomBytes(32).toString("base64")}`,
            LINK_SIGNING_KEY: randomBytes(32).toString("hex"),
            ...env,
          },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      // Starting tsx takes seconds, many on a loaded machine; a gateway that does start is stopped here.
      const timer = setTimeout(() => child.kill("SIGKILL"), 100_000);
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      clearTimeout(timer);
      return { code, output };
    } finally {
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }

  it("production with .env.example's secrets: exits non-zero naming them", async () => {
    const example = await readFile(path.join(root, ".env.example"), "utf8");
    const value = (name: string) => new RegExp(`^${name}=(\\S+)`, "m").exec(example)?.[1] ?? "";
    const { code, output } = await startGateway({
      NODE_ENV: "production",
      INTERNAL_TOKEN: value("INTERNAL_TOKEN"),
      JWT_SECRET: value("JWT_SECRET"),
    });
    expect(code).not.toBe(0);
    expect(output).toMatch(/INTERNAL_TOKEN is the placeholder/);
    expect(output).toMatch(/JWT_SECRET is the placeholder/);
  }, 120_000);

  it("an admin password that breaks the account rules: exits non-zero saying which rule", async () => {
    const { code, output } = await startGateway({
      NODE_ENV: "production",
      ADMIN_USERNAME: "admin",
      ADMIN_PASSWORD: "a",
    });
    expect(code).not.toBe(0);
    expect(output).toMatch(/ADMIN_PASSWORD refused: password must be at least 10 characters/);
  }, 120_000);
});
