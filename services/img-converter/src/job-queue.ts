import { AppError } from "@belfoot/errors";

export interface JobQueue {
  run<T>(job: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly waiting: number;
}

/**
 * At most `concurrency` jobs run at once and at most `maxWaiting` wait; beyond that a caller gets
 * 503 + Retry-After at once instead of queueing unbounded memory. Hand-written because p-limit and
 * p-queue have no bound on the waiting list.
 */
export function createJobQueue(opts: {
  concurrency: number;
  maxWaiting: number;
  retryAfterSeconds?: number;
}): JobQueue {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return {
    get active() {
      return active;
    },
    get waiting() {
      return waiting.length;
    },
    async run(job) {
      if (active >= opts.concurrency) {
        if (waiting.length >= opts.maxWaiting) {
          throw new AppError(503, "busy", "too many images are being processed; retry later", {
            headers: { "retry-after": String(opts.retryAfterSeconds ?? 2) },
          });
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      active++;
      try {
        return await job();
      } finally {
        release();
      }
    },
  };
}
