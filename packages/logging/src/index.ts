export { createLogger, type LoggerOptions, type LogLevel, logFilePath } from "./create-logger";
