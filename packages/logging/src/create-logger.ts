import { mkdirSync } from "node:fs";
import path from "node:path";
import pino, { type DestinationStream, type Logger, type StreamEntry } from "pino";
import { createStream } from "rotating-file-stream";
import { REDACT_CENSOR, REDACT_PATHS } from "./redact";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface LoggerOptions {
  /** Service name on every line. */
  name: string;
  level: LogLevel;
  /** When set, also write `info.log` (info and above) and `error.log` (error and above) here. */
  logDir?: string;
  /** Rotate a file when it reaches this size (rotating-file-stream syntax). */
  rotateSize?: string;
  /** Rotated files kept per log. */
  maxFiles?: number;
  /** Where the console copy goes (stdout unless told otherwise, e.g. a test sink). */
  stdout?: DestinationStream;
}

export const INFO_LOG = "info.log";
export const ERROR_LOG = "error.log";

/** A pino logger writing JSON lines to stdout and, optionally, to size-rotated info/error files. */
export function createLogger(opts: LoggerOptions): Logger {
  const streams: StreamEntry[] = [
    { level: opts.level === "silent" ? "fatal" : opts.level, stream: opts.stdout ?? process.stdout },
  ];
  if (opts.logDir) {
    mkdirSync(opts.logDir, { recursive: true });
    const file = (name: string) =>
      // The live file keeps its name (readers tail it); rotated copies are numbered upwards
      // (info.log.1, info.log.2…), the highest the newest; the oldest beyond maxFiles are deleted.
      createStream((time, index) => (time ? `${name}.${index ?? 1}` : name), {
        path: opts.logDir,
        size: opts.rotateSize ?? "10M",
        maxFiles: opts.maxFiles ?? 5,
        history: `.${name}.history`,
      });
    streams.push({ level: "info", stream: file(INFO_LOG) }, { level: "error", stream: file(ERROR_LOG) });
  }
  return pino(
    {
      name: opts.name,
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: REDACT_CENSOR },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.multistream(streams, { dedupe: false }),
  );
}

export function logFilePath(logDir: string, which: "info" | "error"): string {
  return path.join(logDir, which === "info" ? INFO_LOG : ERROR_LOG);
}
