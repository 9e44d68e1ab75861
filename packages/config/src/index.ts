export {
  type Config,
  /** @internal what loadConfig throws; the tests tell it from other errors. */
  ConfigError,
  loadConfig,
  loadConfigOrExit,
} from "./load";
export { loadOrCreateSecrets } from "./secrets";
