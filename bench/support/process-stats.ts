// Memory figures of live processes, read from /proc (Linux): what the benchmarks report per service.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

function statusField(pid: number, field: "VmHWM" | "VmRSS"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
}

/** Peak resident set (VmHWM) of a live process, in MB. */
export function peakRssMb(pid: number): number {
  return statusField(pid, "VmHWM");
}

/** Current resident set (VmRSS) of a live process, in MB. */
export function rssMb(pid: number): number {
  return statusField(pid, "VmRSS");
}

/** /proc reports clock ticks; USER_HZ is 100 on every Linux the benches run on. */
export const TICK_SECONDS = 0.01;

/** Fields after "pid (comm) ", so field n of proc(5) is at n - 3; comm may hold spaces. */
export function statFields(file: string): { comm: string; fields: string[] } | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined; // the process or thread ended meanwhile
  }
  const close = text.lastIndexOf(")");
  return { comm: text.slice(text.indexOf("(") + 1, close), fields: text.slice(close + 2).split(" ") };
}

/** CPU seconds (user + system, proc(5) fields 14 and 15) a live process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = statFields(`/proc/${pid}/stat`);
  if (!stat) throw new Error(`process ${pid} is gone`);
  return (Number(stat.fields[11]) + Number(stat.fields[12])) * TICK_SECONDS;
}

/** The direct children of a process, with their command lines. */
export function childPids(pid: number): { pid: number; cmd: string }[] {
  const out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" });
  return out
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [p, ...cmd] = l.trim().split(/\s+/);
      return { pid: Number(p), cmd: cmd.join(" ") };
    });
}

/** The pid of the launcher's child running `service` (its entry path names it). */
export function servicePid(launcherPid: number, service: string): number {
  const child = childPids(launcherPid).find((c) => c.cmd.includes(`/${service}`));
  if (!child) throw new Error(`no ${service} process under pid ${launcherPid}`);
  return child.pid;
}

/**
 * Peak resident set of the largest process in a tree of one level (a master and its workers, the
 * postmaster and its backends), in MB: shared memory counts in each, so a sum would overstate it.
 */
export function treePeakRssMb(pid: number): { mb: number; processes: number } {
  const pids = [pid, ...childPids(pid).map((c) => c.pid)];
  return { mb: Math.max(...pids.map(peakRssMb)), processes: pids.length };
}
