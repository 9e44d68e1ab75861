import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code when the process ends, whoever ended it. */
  exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * Run a service entry (TypeScript) in its own Node process through tsx's loader, no shell between.
 * Its JSON log lines go straight to our stdout/stderr.
 */
export function spawnService(name: string, entry: string, env: NodeJS.ProcessEnv): ServiceProcess {
  const tsx = require.resolve("tsx");
  const child = spawn(process.execPath, ["--import", tsx, entry], {
    env,
    // The IPC channel is how the service knows the launcher is gone (runService stops when it closes).
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    name,
    child,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
