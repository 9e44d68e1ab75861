// wrk (Debian package `wrk`), the load generator for bench:http: C, event-driven, one thread per
// core; an undici loop in Node saturates (~5,000 req/s here) below what nginx serves statically.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** The slowest request: a stall a percentile hides (a cache refill, a GC pause) shows here. */
  maxMs: number;
  requests: number;
  /** Bytes read, as wrk reports them (rounded to its unit). */
  bytesRead: number;
  /** Answers outside 2xx/3xx, and socket errors (connect, read, write, timeout). */
  badStatus: number;
  socketErrors: number;
  /** CPU seconds wrk itself used (user + system). */
  cpuSeconds: number;
}

export function requireWrk(): void {
  if (spawnSync("wrk", ["--version"]).error) {
    throw new Error("wrk not found: apt-get install wrk");
  }
}

const UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const BYTES: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

function latencyMs(text: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(text);
  return match ? Number(match[1]) * (UNIT[match[2] as string] ?? Number.NaN) : Number.NaN;
}

/** The "Latency avg stdev max" line's max. */
function maxLatencyMs(text: string): number {
  const match = /^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)/m.exec(text);
  return match ? Number(match[1]) * (UNIT[match[2] as string] ?? Number.NaN) : Number.NaN;
}

/** CPU seconds of the waited-for children of this process so far (cutime + cstime in /proc/self/stat). */
export function childrenCpuSeconds(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
  // After "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

export async function runWrk(opts: {
  url: string;
  headers: Record<string, string>;
  threads: number;
  connections: number;
  seconds: number;
}): Promise<WrkResult> {
  const args = [`-t${opts.threads}`, `-c${opts.connections}`, `-d${opts.seconds}s`, "--latency"];
  for (const [key, value] of Object.entries(opts.headers)) args.push("-H", `${key}: ${value}`);
  args.push(opts.url);
  const cpuBefore = childrenCpuSeconds();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`)),
    );
  });
  const read = /(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? Number.NaN),
    p50Ms: latencyMs(output, "50"),
    p99Ms: latencyMs(output, "99"),
    maxMs: maxLatencyMs(output),
    requests: Number(read?.[1] ?? 0),
    bytesRead: Number(read?.[2] ?? 0) * (BYTES[read?.[3] ?? "B"] ?? 1),
    badStatus: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    cpuSeconds: childrenCpuSeconds() - cpuBefore,
  };
}
