import type { FastifyBaseLogger, FastifyServerOptions } from "fastify";

type Level = "fatal" | "error" | "warn" | "info" | "debug" | "trace";
type Bindings = Parameters<FastifyBaseLogger["child"]>[0];
type ChildLoggerFactory = NonNullable<FastifyServerOptions["childLoggerFactory"]>;

/** pino's level check, which FastifyBaseLogger does not declare; a logger without one is asked to write. */
export const isLevelEnabled = (log: FastifyBaseLogger, level: Level): boolean =>
  (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.(level) ?? true;

/**
 * A request's logger, bound to its id, made on the first line actually written. Fastify makes a
 * child per request, and pino's child() runs the binding through the redaction paths: a measurable
 * share of a cached read, which at the default level writes nothing
 * (docs/decisions/0260-gateway-read-path-cpu.md).
 */
class LazyChildLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
  ) {}

  #logger(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings);
    return this.#child;
  }

  #write(level: Level, args: unknown[]): void {
    if (!isLevelEnabled(this.#child ?? this.parent, level)) return;
    (this.#logger()[level] as (...args: unknown[]) => void)(...args);
  }

  get level(): string {
    return (this.#child ?? this.parent).level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  isLevelEnabled(level: Level): boolean {
    return isLevelEnabled(this.#child ?? this.parent, level);
  }

  child(...args: Parameters<FastifyBaseLogger["child"]>): FastifyBaseLogger {
    return this.#logger().child(...args);
  }

  fatal(...args: unknown[]) {
    this.#write("fatal", args);
  }
  error(...args: unknown[]) {
    this.#write("error", args);
  }
  warn(...args: unknown[]) {
    this.#write("warn", args);
  }
  info(...args: unknown[]) {
    this.#write("info", args);
  }
  debug(...args: unknown[]) {
    this.#write("debug", args);
  }
  trace(...args: unknown[]) {
    this.#write("trace", args);
  }
  silent() {}
}

/** Fastify's childLoggerFactory: lazy for plain requests; a route's own level or serializers get a real child. */
export const lazyChildLogger: ChildLoggerFactory = (logger, bindings, opts) =>
  Object.keys(opts).length > 0
    ? logger.child(bindings, opts)
    : (new LazyChildLogger(logger, bindings) as unknown as FastifyBaseLogger);
