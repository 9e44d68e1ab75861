import { availableParallelism } from "node:os";
import sharp from "sharp";

/**
 * Every process-wide sharp/libvips decision, made once, here.
 *
 * - `sharp.cache(false)`: libvips' operation cache keeps recent decoded images to serve repeated
 *   operations on the same input. The engine never asks twice (it decodes each source once and works
 *   on raw pixels), so the cache would only hold up to 50 MB of pixels per process for nothing.
 * - `sharp.concurrency`: libvips' own worker threads per image. Left at sharp's choice: one on glibc
 *   without jemalloc (this machine; `VIPS_CONCURRENCY` does not override it), one per core elsewhere.
 *   Two here sped up only CMYK conversion and resizes, and the single-encode lower bound more than
 *   the engine (README); throughput across images comes from the job limiter (see limiter.ts), and
 *   every running sharp call also holds one libuv thread-pool thread.
 * - libuv's thread pool (`UV_THREADPOOL_SIZE`, default 4) runs sharp, `dns.lookup`, fs, crypto and
 *   argon2. It is sized at process start only (set it in the environment, or before any pool use), so
 *   the engine cannot grow it; it sizes its job limit to leave threads free instead: see
 *   `defaultConcurrency`.
 */
sharp.cache(false);

/** Threads the engine leaves to dns.lookup, fs, crypto and password hashing in the libuv pool. */
export const RESERVED_POOL_THREADS = 2;

/** The libuv thread-pool size in force for this process (as far as the environment tells). */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number.parseInt(env.UV_THREADPOOL_SIZE ?? "", 10);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1024) : 4;
}

/**
 * Concurrent compress jobs by default: one per core (more only queues inside libvips and multiplies
 * memory), and never more than the pool minus the reserved threads, so image work cannot starve URL
 * fetching or password checks. With the default pool of 4 on this two-core machine: 2.
 */
export function defaultConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  return Math.max(1, Math.min(availableParallelism(), threadPoolSize(env) - RESERVED_POOL_THREADS));
}

/** The UV_THREADPOOL_SIZE to start a process with for a given job limit. */
export function recommendedThreadPoolSize(concurrency: number): number {
  return Math.max(4, concurrency + RESERVED_POOL_THREADS + 2);
}

export { sharp };
