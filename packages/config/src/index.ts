export { type Config, ConfigError, loadConfig, loadConfigOrExit, MAX_JWT_TTL_SECONDS } from "./load";
export { ConfigSchema, type RawConfig } from "./schema";
export { MIN_SECRET_BYTES } from "./secret-policy";
export { GENERATED_SECRETS, loadOrCreateSecrets } from "./secrets";
