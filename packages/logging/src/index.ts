export {
  createLogger,
  ERROR_LOG,
  INFO_LOG,
  type LoggerOptions,
  type LogLevel,
  logFilePath,
} from "./create-logger";
export { REDACT_CENSOR, REDACT_PATHS } from "./redact";
