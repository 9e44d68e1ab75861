import sharp from "sharp";
import { beforeAll, describe, expect, it, vi } from "vitest";

// Counts the real encodes, and lets a test fire its AbortSignal right after the n-th one finishes.
const probe = vi.hoisted(() => ({
  encodes: 0,
  afterAbort: 0,
  abortAfter: Number.POSITIVE_INFINITY,
  controller: undefined as AbortController | undefined,
}));
vi.mock("../src/encode", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/encode")>();
  return {
    ...real,
    encodeJpeg: async (...args: Parameters<typeof real.encodeJpeg>) => {
      if (probe.controller?.signal.aborted) probe.afterAbort++;
      const bytes = await real.encodeJpeg(...args);
      probe.encodes++;
      if (probe.encodes === probe.abortAfter) probe.controller?.abort(new Error("client left"));
      return bytes;
    },
  };
});

const { compress, EngineError } = await import("../src/index");

/** Noise that no quality fits at the full size: a search, then a downscale and another search. */
async function noisyPng(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  let x = 12345;
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    data[i] = (x >> 16) & 0xff;
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

function reset(abortAfter: number) {
  probe.encodes = 0;
  probe.afterAbort = 0;
  probe.abortAfter = abortAfter;
  probe.controller = new AbortController();
  return probe.controller.signal;
}

describe("compress with an AbortSignal", () => {
  let small: Buffer;
  let large: Buffer;
  let encodesUnaborted = { small: 0, large: 0 };
  beforeAll(async () => {
    small = await noisyPng(640, 480);
    large = await noisyPng(1400, 1000);
    reset(Number.POSITIVE_INFINITY);
    await compress(small);
    encodesUnaborted = { ...encodesUnaborted, small: probe.encodes };
    reset(Number.POSITIVE_INFINITY);
    await compress(large);
    encodesUnaborted = { ...encodesUnaborted, large: probe.encodes };
  });

  it("refuses at once when the signal has already fired, before any decode or encode", async () => {
    const signal = reset(Number.POSITIVE_INFINITY);
    probe.controller?.abort(new Error("gone"));
    const err = await compress(small, { signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as InstanceType<typeof EngineError>).code).toBe("aborted");
    expect(probe.encodes).toBe(0);
  });

  it("stops after at most one more encode, wherever the signal fires", async () => {
    for (const [name, input] of [
      ["small", small],
      ["large", large],
    ] as const) {
      const total = encodesUnaborted[name];
      expect(total).toBeGreaterThan(2); // a search with several encodes to cut short
      for (let n = 1; n < total; n++) {
        const signal = reset(n);
        const err = await compress(input, { signal }).catch((e: unknown) => e);
        expect(err, `${name}: aborted after encode ${n}`).toBeInstanceOf(EngineError);
        expect((err as InstanceType<typeof EngineError>).code).toBe("aborted");
        expect((err as Error).cause).toEqual(new Error("client left"));
        expect(probe.afterAbort, `${name}: encodes started after the abort`).toBe(0);
        expect(probe.encodes - n, `${name}: encodes finished after the abort`).toBeLessThanOrEqual(1);
      }
    }
  });
});
