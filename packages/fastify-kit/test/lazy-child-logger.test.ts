import { Writable } from "node:stream";
import type { FastifyBaseLogger } from "fastify";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { lazyChildLogger } from "../src/lazy-child-logger";

/** A pino logger at `level` writing JSON lines into `lines`, and how many children it has made. */
function recordingLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = pino({ level, base: undefined, timestamp: false }, sink);
  let children = 0;
  const child = logger.child.bind(logger);
  logger.child = ((...args: Parameters<typeof child>) => {
    children++;
    return child(...args);
  }) as typeof logger.child;
  return { logger: logger as unknown as FastifyBaseLogger, lines, children: () => children };
}

const make = (parent: FastifyBaseLogger, opts = {}) =>
  // biome-ignore lint/suspicious/noExplicitAny: Fastify calls the factory with its instance as `this`; it is not used.
  lazyChildLogger.call({} as any, parent, { reqId: "req-1" }, opts, {} as any);

describe("lazyChildLogger", () => {
  it("writes the same lines as a child bound to the request id", async () => {
    const lazy = recordingLogger("info");
    make(lazy.logger).info({ status: 200 }, "request");
    const real = recordingLogger("info");
    real.logger.child({ reqId: "req-1" }).info({ status: 200 }, "request");
    await new Promise((resolve) => setImmediate(resolve));
    expect(lazy.lines).toEqual(real.lines);
    expect(lazy.lines[0]).toMatchObject({ reqId: "req-1", status: 200, msg: "request" });
  });

  it("makes no child while nothing is written, and one for all the lines that are", () => {
    const { logger, children } = recordingLogger("info");
    const log = make(logger);
    log.debug("below the level");
    log.trace("below the level");
    expect(children()).toBe(0);
    log.warn("one");
    log.error("two");
    expect(children()).toBe(1);
  });

  it("answers level checks like its parent", () => {
    const { logger } = recordingLogger("warn");
    const log = make(logger) as unknown as { isLevelEnabled(level: string): boolean; level: string };
    expect(log.level).toBe("warn");
    expect(log.isLevelEnabled("info")).toBe(false);
    expect(log.isLevelEnabled("error")).toBe(true);
  });

  it("gives a route with its own level a real child at once", () => {
    const { logger, children } = recordingLogger("info");
    const log = make(logger, { level: "debug" });
    expect(children()).toBe(1);
    expect(log.level).toBe("debug");
  });
});
