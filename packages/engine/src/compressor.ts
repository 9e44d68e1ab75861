import { type CompressResult, compress } from "./compress";
import { type Limiter, limitConcurrency } from "./limiter";
import type { CompressOptions } from "./options";
import { defaultConcurrency } from "./runtime";

export interface CompressorOptions extends CompressOptions {
  /** Jobs that may run at once; the rest wait. Default: see runtime.ts defaultConcurrency (2 here). */
  concurrency?: number;
}

export interface Compressor {
  compress(input: Buffer, options?: CompressOptions): Promise<CompressResult>;
  readonly active: number;
  readonly waiting: number;
  readonly concurrency: number;
}

/**
 * The engine behind a bounded job limiter, with per-compressor defaults: what a service should hold
 * (one per process), so that many large sources at once queue instead of exhausting memory.
 */
export function createCompressor(options: CompressorOptions = {}): Compressor {
  const { concurrency = defaultConcurrency(), ...defaults } = options;
  const limit: Limiter = limitConcurrency(concurrency);
  return {
    compress: (input, opts) => limit(() => compress(input, { ...defaults, ...opts })),
    get active() {
      return limit.active;
    },
    get waiting() {
      return limit.waiting;
    },
    concurrency,
  };
}
