import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Secrets the zero-setup path may generate, and keep, when they are not given. */
export const GENERATED_SECRETS = [
  "INTERNAL_TOKEN",
  "JWT_SECRET",
  "WEBHOOK_SECRET",
  "LINK_SIGNING_KEY",
] as const;
export type GeneratedSecret = (typeof GENERATED_SECRETS)[number];

/** Webhook secrets take the Standard Webhooks form (whsec_ + base64), which receivers' libraries expect. */
function generate(name: string): string {
  const bytes = randomBytes(32);
  return name === "WEBHOOK_SECRET" ? `whsec_${bytes.toString("base64")}` : bytes.toString("base64url");
}

/**
 * Read `DATA_DIR/secrets.json`, adding any of `names` that is missing, so every process started on
 * the same DATA_DIR (launcher, gateway, converter) agrees on them across restarts. Other entries of
 * the file are kept. Written 0600.
 */
export function loadOrCreateSecrets<Name extends string = GeneratedSecret>(
  dataDir: string,
  names: readonly Name[] = GENERATED_SECRETS as unknown as readonly Name[],
): Record<Name, string> {
  const file = path.join(dataDir, "secrets.json");
  let stored: Partial<Record<string, string>> = {};
  try {
    stored = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  let changed = false;
  for (const name of names) {
    if (!stored[name]) {
      stored[name] = generate(name);
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    // `mode` applies only when the file is created: a file from elsewhere is made private too.
    chmodSync(file, 0o600);
  }
  return stored as Record<Name, string>;
}
