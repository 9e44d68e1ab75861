import sharp from "sharp";

/**
 * Every process-wide sharp/libvips decision, made once, here.
 *
 * - `sharp.cache(false)`: libvips' operation cache keeps recent decoded images to serve repeated
 *   operations on the same input. The engine never asks twice (it decodes each source once and works
 *   on raw pixels), so the cache would only hold up to 50 MB of pixels per process for nothing.
 * - `sharp.concurrency`: libvips' own worker threads per image. Left at sharp's choice: one on glibc
 *   without jemalloc (this machine; `VIPS_CONCURRENCY` does not override it), one per core elsewhere.
 *   Throughput across images comes from the caller's job limit (the converter's
 *   `COMPRESS_CONCURRENCY`), and every running sharp call also holds one libuv thread-pool thread:
 *   the services start with `UV_THREADPOOL_SIZE` above their job limit
 *   ([0017](../../../docs/decisions/0017-thread-pool-reserve.md)).
 */
sharp.cache(false);

export { sharp };
