import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/index";

const tempDir = () => mkdtemp(path.join(tmpdir(), "belfoot-config-"));

describe("loadConfig", () => {
  it("applies defaults and coerces numbers", async () => {
    const dir = await tempDir();
    const config = loadConfig({ DATA_DIR: dir, PORT: "9090" });
    expect(config.PORT).toBe(9090);
    expect(config.MAX_OUTPUT_BYTES).toBe(184_320);
    expect(config.MAX_SOURCE_BYTES).toBe(25 * 1024 * 1024);
    expect(config.REGISTRATION).toBe("admin");
    expect(config.LOG_DIR).toBe(path.join(dir, "logs"));
  });

  it("treats an empty variable as not set", async () => {
    const config = loadConfig({ DATA_DIR: await tempDir(), DATABASE_URL: "", PORT: "" });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PORT).toBe(8080);
  });

  it("stops with an error naming the bad variable", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => loadConfig({ REGISTRATION: "sometimes" })).toThrow(/REGISTRATION/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ MAX_OUTPUT_BYTES: "10" })).toThrow(ConfigError);
  });

  it("requires the secrets in production", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(
      /INTERNAL_TOKEN, JWT_SECRET, WEBHOOK_SECRET, LINK_SIGNING_KEY must be set/,
    );
    const config = loadConfig({
      NODE_ENV: "production",
      INTERNAL_TOKEN: "a".repeat(32),
      JWT_SECRET: "b".repeat(32),
      WEBHOOK_SECRET: `whsec_${"c".repeat(32)}`,
      LINK_SIGNING_KEY: "d".repeat(32),
    });
    expect(config.INTERNAL_TOKEN).toBe("a".repeat(32));
  });

  it("outside production generates the secrets once, keeps them 0600 under DATA_DIR, and reuses them", async () => {
    const dir = await tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.INTERNAL_TOKEN.length).toBeGreaterThanOrEqual(32);
    expect(first.JWT_SECRET).not.toBe(first.INTERNAL_TOKEN);
    expect([second.INTERNAL_TOKEN, second.JWT_SECRET]).toEqual([first.INTERNAL_TOKEN, first.JWT_SECRET]);
    // The webhook secret in the Standard Webhooks form receivers' libraries expect.
    expect(first.WEBHOOK_SECRET).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(second.WEBHOOK_SECRET).toBe(first.WEBHOOK_SECRET);
    expect(first.LINK_SIGNING_KEY.length).toBeGreaterThanOrEqual(32);
    expect(second.LINK_SIGNING_KEY).toBe(first.LINK_SIGNING_KEY);
    const file = path.join(dir, "secrets.json");
    expect(JSON.parse(await readFile(file, "utf8")).JWT_SECRET).toBe(first.JWT_SECRET);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // A given secret wins over the stored one.
    expect(loadConfig({ DATA_DIR: dir, JWT_SECRET: "c".repeat(32) }).JWT_SECRET).toBe("c".repeat(32));
  });

  it("refuses a given secret under 32 bytes or a placeholder, in every environment", async () => {
    const dir = await tempDir();
    for (const NODE_ENV of ["production", "development"]) {
      const good = { NODE_ENV, DATA_DIR: dir, INTERNAL_TOKEN: "a".repeat(32), JWT_SECRET: "b".repeat(32) };
      expect(() => loadConfig({ ...good, JWT_SECRET: "b".repeat(31) })).toThrow(
        /JWT_SECRET must be at least 32 bytes/,
      );
      expect(() => loadConfig({ ...good, INTERNAL_TOKEN: "short" })).toThrow(
        /INTERNAL_TOKEN must be at least 32 bytes/,
      );
      expect(() => loadConfig({ ...good, JWT_SECRET: "change-me-to-another-long-random-string" })).toThrow(
        /JWT_SECRET is the placeholder/,
      );
      expect(() =>
        loadConfig({ ...good, WEBHOOK_SECRET: "whsec_changeme0to0a0base64secret0000000000" }),
      ).toThrow(/WEBHOOK_SECRET is the placeholder/);
      expect(() => loadConfig({ ...good, LINK_SIGNING_KEY_PREVIOUS: "short" })).toThrow(
        /LINK_SIGNING_KEY_PREVIOUS must be at least 32 bytes/,
      );
    }
  });

  it("refuses .env.example's admin password in production", async () => {
    const prod = {
      NODE_ENV: "production",
      INTERNAL_TOKEN: "a".repeat(32),
      JWT_SECRET: "b".repeat(32),
      WEBHOOK_SECRET: `whsec_${"c".repeat(32)}`,
      LINK_SIGNING_KEY: "d".repeat(32),
    };
    expect(() => loadConfig({ ...prod, ADMIN_PASSWORD: "change-me-admin" })).toThrow(
      /ADMIN_PASSWORD is the placeholder/,
    );
    expect(loadConfig({ ...prod, ADMIN_PASSWORD: "a-chosen-password" }).ADMIN_PASSWORD).toBe(
      "a-chosen-password",
    );
  });

  it("reads JWT_TTL as seconds, from 1 s to a day", async () => {
    const dir = await tempDir();
    const ttl = (JWT_TTL: string) => loadConfig({ DATA_DIR: dir, JWT_TTL }).JWT_TTL_SECONDS;
    expect([ttl("90"), ttl("15m"), ttl("1h"), ttl("24h"), ttl("1d")]).toEqual([
      90, 900, 3600, 86_400, 86_400,
    ]);
    for (const bad of ["0", "86401", "25h", "2d", "1 hour"]) expect(() => ttl(bad), bad).toThrow(/JWT_TTL/);
  });
});
