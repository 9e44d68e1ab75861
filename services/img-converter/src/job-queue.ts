import { AppError } from "@belfoot/errors";
import { limitedTickets } from "@belfoot/fastify-kit";

/** One job's place in line, taken before its input is in memory (see createJobQueue). */
export interface Place {
  /** Waits for a slot, runs the job in it, then gives the place back. Once per place. */
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Gives the place back unused (its download failed). Safe to call twice, or after `run`. */
  release(): void;
}

export interface JobQueue {
  /** Takes a place now, or answers 503 busy + Retry-After when every place is held. */
  admit(): Place;
  /** Jobs running in a slot. */
  readonly active: number;
  /** Jobs whose input is ready, waiting for a slot. */
  readonly waiting: number;
  /** Places held by jobs still getting their input (downloading the source, receiving the upload). */
  readonly preparing: number;
}

/**
 * At most `concurrency` jobs run at once, and at most `concurrency + maxWaiting` hold a place: a
 * place is taken when the request arrives, before its source is downloaded or its upload read, and
 * held until the job ends. So the sources in memory are bounded by the places (× MAX_SOURCE_BYTES),
 * and a busy converter answers 503 before downloading anything, not after (32 connections from
 * admin-auth, each downloading up to 25 MiB before a queue that only counted compressions, could
 * hold 800 MB). Hand-written because p-limit and p-queue bound neither the waiting list nor a place
 * held across two phases.
 */
export function createJobQueue(opts: {
  concurrency: number;
  maxWaiting: number;
  retryAfterSeconds?: number;
}): JobQueue {
  const places = limitedTickets(
    opts.concurrency + opts.maxWaiting,
    () =>
      new AppError(503, "busy", "too many images are being processed; retry later", {
        headers: { "retry-after": String(opts.retryAfterSeconds ?? 2) },
      }),
  );
  let active = 0;
  const waiting: (() => void)[] = [];

  const admit = (): Place => {
    const place = places.take();
    let used = false; // run, or given back unused
    return {
      release() {
        used = true;
        place.release();
      },
      async run(job) {
        if (used) throw new Error("a place runs one job");
        used = true;
        try {
          if (active >= opts.concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
          active++;
          try {
            return await job();
          } finally {
            active--;
            waiting.shift()?.();
          }
        } finally {
          place.release();
        }
      },
    };
  };

  return {
    admit,
    get active() {
      return active;
    },
    get waiting() {
      return waiting.length;
    },
    get preparing() {
      return places.out - active - waiting.length;
    },
  };
}
