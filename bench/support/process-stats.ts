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

/** CPU seconds (user + system) a live process has used so far. */
export function cpuSeconds(pid: number): number {
  // After "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
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
