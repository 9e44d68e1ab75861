import path from "node:path";
import { envSchema } from "env-schema";
import { ConfigSchema, type RawConfig } from "./schema";
import { GENERATED_SECRETS, loadOrCreateSecrets } from "./secrets";

export type Config = Omit<RawConfig, "LOG_DIR" | "INTERNAL_TOKEN" | "JWT_SECRET"> & {
  LOG_DIR: string;
  INTERNAL_TOKEN: string;
  JWT_SECRET: string;
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
  };
}
