import { Pool } from "undici";

export interface LoopResult {
  /** Completed answers per second over the whole run. */
  rps: number;
  p50: number;
  p99: number;
  /** Body bytes per second (headers not counted). */
  bytesPerSecond: number;
  /** Body bytes of all completed answers. */
  bytes: number;
  total: number;
  statuses: Map<number, number>;
  /** Failed requests by error code or message. */
  errors: Map<string, number>;
}

/**
 * `connections` keep-alive connections, each sending its next GET as soon as the previous answer is
 * fully read, for `seconds`. The body is counted, never decoded: autocannon appends every body chunk
 * to a string, and UTF-8-decoding a 178 KB JPEG capped it at ~450 answers/s on a 2-core host (a
 * file of zeros of the same size: ~8,000/s), so it measured itself instead of the server.
 */
export async function closedLoop(opts: {
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}): Promise<LoopResult> {
  const url = new URL(opts.url);
  const pool = new Pool(url.origin, { connections: opts.connections, pipelining: 1 });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const errors = new Map<string, number>();
  let bytes = 0;
  const start = performance.now();
  const deadline = start + opts.seconds * 1000;

  const loop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const res = await pool.request({
          path: url.pathname + url.search,
          method: "GET",
          headers: opts.headers,
        });
        let length = 0;
        for await (const chunk of res.body) length += (chunk as Buffer).length;
        // Counted once the answer is whole: a request cut off by the deadline adds nothing.
        bytes += length;
        latencies.push(performance.now() - t0);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      } catch (err) {
        const key = (err as { code?: string }).code ?? String(err);
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, loop));
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();

  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    bytesPerSecond: bytes / elapsed,
    bytes,
    total: latencies.length,
    statuses,
    errors,
  };
}
