import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const composeFile = path.join(root, "docker-compose.yml");
const run = promisify(execFile);
const composeInstalled = await run("docker-compose", ["version"]).then(
  () => true,
  () => false,
);

/** What docker-compose.yml refuses to start without (its `:?` variables). */
const REQUIRED = [
  "POSTGRES_PASSWORD",
  "INTERNAL_TOKEN",
  "JWT_SECRET",
  "WEBHOOK_SECRET",
  "LINK_SIGNING_KEY",
  "ADMIN_PASSWORD",
];

interface ComposeService {
  container_name?: string;
  hostname?: string;
  ports?: unknown[];
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
}

// `docker compose up --scale img-converter=3`: replicas may share nothing fixed (a name, a host port,
// an address), since two containers cannot hold the same one; the queue in PostgreSQL is all they share.
describe("docker-compose.yml scales the converter out", () => {
  it("gives img-converter no fixed container name, hostname, host port or address", async () => {
    const compose = parse(await readFile(composeFile, "utf8"), { merge: true }) as {
      services: Record<string, ComposeService>;
    };
    const converter = compose.services["img-converter"];
    expect(converter).toBeDefined();
    expect(converter?.container_name).toBeUndefined();
    expect(converter?.hostname).toBeUndefined();
    expect(converter?.ports ?? []).toEqual([]);
    const networks = converter?.networks ?? [];
    const attachments = Array.isArray(networks) ? [] : Object.values(networks);
    expect(attachments.filter((n) => n?.ipv4_address !== undefined)).toEqual([]);
  });

  it.skipIf(!composeInstalled)("is valid for docker-compose with the required secrets set", async () => {
    const env = Object.fromEntries(REQUIRED.map((name) => [name, "placeholder"]));
    const { stdout } = await run("docker-compose", ["-f", composeFile, "config", "--services"], {
      env: { ...process.env, ...env },
    });
    expect(stdout.split("\n")).toContain("img-converter");
  });
});
