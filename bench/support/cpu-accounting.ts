// Where the machine's cores go during a benchmark, read from /proc (Linux): CPU seconds per process
// tree and per thread name, and the machine's busy and idle seconds, so each can be set against
// cores × wall time.
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { statFields, TICK_SECONDS } from "./process-stats";

/** The children of every live process, from each one's parent pid (proc(5) field 4). */
function childrenByParent(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = Number(statFields(`/proc/${entry}/stat`)?.fields[1]);
    if (!Number.isFinite(parent)) continue;
    map.set(parent, [...(map.get(parent) ?? []), Number(entry)]);
  }
  return map;
}

/**
 * CPU seconds of a process and everything below it: each one's user + system time (fields 14, 15)
 * plus that of its children already reaped (16, 17), so backends that came and went still count.
 */
function treeSeconds(pid: number, children: Map<number, number[]>, skip: Set<number>): number {
  const stat = statFields(`/proc/${pid}/stat`);
  if (!stat) return 0;
  const [utime, stime, cutime, cstime] = stat.fields.slice(11, 15).map(Number) as number[];
  const own = ((utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0)) * TICK_SECONDS;
  const below = (children.get(pid) ?? []).filter((c) => !skip.has(c));
  return own + below.reduce((sum, c) => sum + treeSeconds(c, children, skip), 0);
}

/** CPU seconds of one process's live threads, summed by thread name (e.g. "libvips worker"). */
function threadSeconds(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    const stat = statFields(`/proc/${pid}/task/${tid}/stat`);
    if (!stat) continue;
    const name = tid === String(pid) ? "main thread" : stat.comm;
    const seconds = (Number(stat.fields[11]) + Number(stat.fields[12])) * TICK_SECONDS;
    byName.set(name, (byName.get(name) ?? 0) + seconds);
  }
  return byName;
}

/** The machine's busy and idle CPU seconds over all cores since boot (/proc/stat's "cpu" line). */
function machineSeconds(): { busy: number; idle: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .split(/\s+/)
    .slice(1, 9)
    .map(Number) as number[];
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy: busy * TICK_SECONDS, idle: ((idle ?? 0) + (iowait ?? 0)) * TICK_SECONDS };
}

/** A named group: the process trees under these pids (a pid that is also another group's is left out). */
export type CpuGroups = Record<string, number[]>;

export interface CpuSnapshot {
  at: number;
  groups: Record<string, number>;
  machine: { busy: number; idle: number };
}

/** CPU seconds so far of each group, and of the whole machine. */
export function cpuSnapshot(groups: CpuGroups): CpuSnapshot {
  const children = childrenByParent();
  const claimed = new Set(Object.values(groups).flat());
  const seconds: Record<string, number> = {};
  for (const [name, pids] of Object.entries(groups)) {
    // A group's own pids are its roots; other groups' roots below them are theirs, not counted twice.
    const skip = new Set([...claimed].filter((p) => !pids.includes(p)));
    seconds[name] = pids.reduce((sum, p) => sum + treeSeconds(p, children, skip), 0);
  }
  return { at: performance.now(), groups: seconds, machine: machineSeconds() };
}

export interface CpuShare {
  name: string;
  seconds: number;
  /** Of cores × wall seconds between the snapshots. */
  share: number;
}

/**
 * Each group's CPU seconds between two snapshots as a share of cores × wall, then the rest of the
 * machine's busy time (other processes, the kernel) and its idle time, so the shares add up to 1.
 */
export function cpuShares(before: CpuSnapshot, after: CpuSnapshot): { wall: number; shares: CpuShare[] } {
  const wall = (after.at - before.at) / 1000;
  const capacity = cpus().length * wall;
  const shares: CpuShare[] = Object.keys(after.groups).map((name) => {
    const seconds = (after.groups[name] ?? 0) - (before.groups[name] ?? 0);
    return { name, seconds, share: seconds / capacity };
  });
  const accounted = shares.reduce((sum, s) => sum + s.seconds, 0);
  const busy = after.machine.busy - before.machine.busy;
  const idle = after.machine.idle - before.machine.idle;
  shares.push({
    name: "other processes and the kernel",
    seconds: busy - accounted,
    share: (busy - accounted) / capacity,
  });
  shares.push({ name: "idle", seconds: idle, share: idle / capacity });
  return { wall, shares };
}

/** A process's threads as the benches group them: libvips' workers, the main (JS) thread, the rest. */
export type ThreadClass = "libvips workers" | "main thread" | "other threads";

/** CPU seconds so far of a process's live threads by class, and of the whole process (ended threads too). */
export function threadClassSeconds(pid: number): Record<ThreadClass | "process", number> {
  const out = { "libvips workers": 0, "main thread": 0, "other threads": 0, process: 0 };
  for (const [name, seconds] of threadSeconds(pid)) {
    const cls: ThreadClass =
      name === "main thread" ? name : name.startsWith("libvips") ? "libvips workers" : "other threads";
    out[cls] += seconds;
  }
  const stat = statFields(`/proc/${pid}/stat`);
  if (stat) out.process = (Number(stat.fields[11]) + Number(stat.fields[12])) * TICK_SECONDS;
  return out;
}

/** The change of each class between two readings, with the CPU of threads that ended meanwhile. */
export function threadClassDelta(
  before: ReturnType<typeof threadClassSeconds>,
  after: ReturnType<typeof threadClassSeconds>,
): Record<ThreadClass | "ended threads" | "process", number> {
  const d = (k: keyof typeof before) => after[k] - before[k];
  const live = d("libvips workers") + d("main thread") + d("other threads");
  return {
    "libvips workers": d("libvips workers"),
    "main thread": d("main thread"),
    "other threads": d("other threads"),
    // A thread that ended takes its seconds out of the live sum; the process total keeps them.
    "ended threads": d("process") - live,
    process: d("process"),
  };
}
