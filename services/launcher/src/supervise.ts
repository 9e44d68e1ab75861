import type { ServiceProcess } from "./spawn-service";

export interface SupervisorOptions {
  log: (line: string) => void;
  /** Called once when the service keeps dying: the launcher then stops everything and exits 1. */
  giveUp: (why: string) => void;
  /** Restarts allowed within `windowMs`; one more death in the window is a crash loop. */
  maxRestarts?: number;
  windowMs?: number;
  /** First delay before a restart, doubled on each restart within the window, capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface Supervised {
  name: string;
  /** The running process (a new one after each restart). */
  readonly current: ServiceProcess;
  /** Stops the service for good: no restart after this, even one already scheduled. */
  stop(): Promise<void>;
}

/**
 * Like compose's `restart: unless-stopped`: a service that exits without being asked to is started
 * again after a backoff, while the others keep serving; a crash loop (more than `maxRestarts` deaths
 * within `windowMs`) gives up with a message saying so. Queued work is in PostgreSQL, so a converter
 * that dies loses none of it. Hand-written: the launcher's two children need no process manager.
 */
export function supervise(name: string, start: () => ServiceProcess, opts: SupervisorOptions): Supervised {
  const maxRestarts = opts.maxRestarts ?? 5;
  const windowMs = opts.windowMs ?? 60_000;
  const baseDelayMs = opts.baseDelayMs ?? 500;
  const maxDelayMs = opts.maxDelayMs ?? 10_000;
  const restarts: number[] = [];
  let stopped = false;
  let current = start();

  const watch = (proc: ServiceProcess) => {
    void proc.exited.then((code) => {
      if (stopped || proc !== current) return;
      const now = Date.now();
      while (restarts.length > 0 && now - (restarts[0] ?? 0) > windowMs) restarts.shift();
      const signal = proc.child.signalCode;
      const how = signal ? `killed by ${signal}` : `code ${code}`;
      if (restarts.length >= maxRestarts) {
        stopped = true;
        opts.giveUp(
          `${name} exited ${restarts.length + 1} times within ${windowMs / 1000} s (last: ${how}); crash loop, giving up`,
        );
        return;
      }
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** restarts.length);
      restarts.push(now);
      opts.log(`${name} exited unexpectedly (${how}); restarting it in ${delay} ms, the others keep serving`);
      setTimeout(() => {
        if (stopped) return;
        current = start();
        watch(current);
      }, delay);
    });
  };
  watch(current);

  return {
    name,
    get current() {
      return current;
    },
    async stop() {
      stopped = true;
      await current.stop();
    },
  };
}
