import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Secrets the zero-setup path may generate, and keep, when they are not given. */
export const GENERATED_SECRETS = ["INTERNAL_TOKEN", "JWT_SECRET"] as const;
export type GeneratedSecret = (typeof GENERATED_SECRETS)[number];

/**
 * Read `DATA_DIR/secrets.json`, adding any missing secret, so every process started on the same
 * DATA_DIR (launcher, gateway, converter) agrees on them across restarts. Written 0600.
 */
export function loadOrCreateSecrets(dataDir: string): Record<GeneratedSecret, string> {
  const file = path.join(dataDir, "secrets.json");
  let stored: Partial<Record<GeneratedSecret, string>> = {};
  try {
    stored = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  let changed = false;
  for (const name of GENERATED_SECRETS) {
    if (!stored[name]) {
      stored[name] = randomBytes(32).toString("base64url");
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  return stored as Record<GeneratedSecret, string>;
}
