import path from "node:path";
import { envSchema } from "env-schema";
import { durationSeconds } from "./duration";
import { ConfigSchema, type RawConfig } from "./schema";
import { isPlaceholder, secretProblem } from "./secret-policy";
import { GENERATED_SECRETS, loadOrCreateSecrets } from "./secrets";

/** Longest JWT_TTL: a stolen token works until it expires (or its user's password or role changes). */
export const MAX_JWT_TTL_SECONDS = 86_400;

export type Config = Omit<
  RawConfig,
  "LOG_DIR" | "INTERNAL_TOKEN" | "JWT_SECRET" | "WEBHOOK_SECRET" | "LINK_SIGNING_KEY"
> & {
  LOG_DIR: string;
  INTERNAL_TOKEN: string;
  JWT_SECRET: string;
  WEBHOOK_SECRET: string;
  LINK_SIGNING_KEY: string;
  /** JWT_TTL in seconds, as documented ("90" is a minute and a half, not 90 ms). */
  JWT_TTL_SECONDS: number;
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Read and validate the environment once, at start-up. A bad value stops the process with a message
 * naming the variable. Outside production, missing secrets are generated and kept under DATA_DIR.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let raw: RawConfig;
  try {
    // An empty variable (`DATABASE_URL=` in a compose file or .env) means "not set".
    const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
    raw = envSchema<RawConfig>({ schema: ConfigSchema, data: given, env: false, dotenv: false });
  } catch (err) {
    // ajv says "env/PORT must be integer": keep it, it names the variable.
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`);
  }
  const problems = [
    ...GENERATED_SECRETS.map((name) => (raw[name] ? secretProblem(name, raw[name]) : undefined)),
    raw.LINK_SIGNING_KEY_PREVIOUS
      ? secretProblem("LINK_SIGNING_KEY_PREVIOUS", raw.LINK_SIGNING_KEY_PREVIOUS)
      : undefined,
    ttlProblem(raw.JWT_TTL),
    raw.NODE_ENV === "production" && raw.ADMIN_PASSWORD && isPlaceholder(raw.ADMIN_PASSWORD)
      ? "ADMIN_PASSWORD is the placeholder from .env.example; choose the admin's password"
      : undefined,
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  const dataDir = path.resolve(raw.DATA_DIR);
  const missing = GENERATED_SECRETS.filter((name) => !raw[name]);
  if (missing.length > 0 && raw.NODE_ENV === "production") {
    throw new ConfigError(
      `invalid configuration: ${missing.join(", ")} must be set when NODE_ENV=production`,
    );
  }
  const generated = missing.length > 0 ? loadOrCreateSecrets(dataDir) : undefined;
  return {
    ...raw,
    DATA_DIR: dataDir,
    LOG_DIR: path.resolve(raw.LOG_DIR ?? path.join(dataDir, "logs")),
    INTERNAL_TOKEN: raw.INTERNAL_TOKEN ?? (generated?.INTERNAL_TOKEN as string),
    JWT_SECRET: raw.JWT_SECRET ?? (generated?.JWT_SECRET as string),
    WEBHOOK_SECRET: raw.WEBHOOK_SECRET ?? (generated?.WEBHOOK_SECRET as string),
    LINK_SIGNING_KEY: raw.LINK_SIGNING_KEY ?? (generated?.LINK_SIGNING_KEY as string),
    JWT_TTL_SECONDS: durationSeconds(raw.JWT_TTL) as number,
  };
}

function ttlProblem(ttl: string): string | undefined {
  const seconds = durationSeconds(ttl);
  if (seconds !== undefined && seconds >= 1 && seconds <= MAX_JWT_TTL_SECONDS) return undefined;
  return `JWT_TTL must be from 1 second to ${MAX_JWT_TTL_SECONDS / 3600}h (${ttl} given)`;
}

/** loadConfig for a process's start: a bad configuration prints its one-line message and exits 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
