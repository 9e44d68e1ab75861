export { type Config, ConfigError, loadConfig } from "./load";
export { ConfigSchema, type RawConfig } from "./schema";
export { GENERATED_SECRETS, loadOrCreateSecrets } from "./secrets";
