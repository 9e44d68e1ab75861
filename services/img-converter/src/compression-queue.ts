import { AppError } from "@belfoot/errors";
import { limitedTickets } from "@belfoot/fastify-kit";

/** What a job's run needs besides the job: its decoded size, and whether its client is still there. */
export interface RunOptions {
  /** Pixels the job decodes (the source header's width × height): counted against the pixel budget. */
  pixels?: number;
  /** Fires when the client has gone: a job still waiting for its slot leaves the line at once. */
  signal?: AbortSignal;
}

/** One job's place in line, taken before its input is in memory (see createCompressionQueue). */
export interface Place {
  /** Waits for a slot and for pixel budget, runs the job in it, then gives the place back. Once per place. */
  run<T>(job: () => Promise<T>, opts?: RunOptions): Promise<T>;
  /** Gives the place back unused (its download failed). Safe to call twice, or after `run`. */
  release(): void;
}

export interface CompressionQueue {
  /**
   * Takes a place for this account now; or answers 429 when the account already holds its share of
   * the places, or 503 busy when every place is held (both with Retry-After).
   */
  admit(owner: string): Place;
  /** Jobs running in a slot. */
  readonly active: number;
  /** Jobs whose input is ready, waiting for a slot (or for pixel budget). */
  readonly waiting: number;
  /** Places held by jobs still getting their input (downloading the source, receiving the upload). */
  readonly preparing: number;
  /** Decoded pixels of the jobs running now (each counted up to the whole budget). */
  readonly activePixels: number;
  /** Decoded pixels of the jobs waiting for a slot. */
  readonly waitingPixels: number;
}

export interface CompressionQueueOptions {
  /** Jobs run at once (COMPRESS_CONCURRENCY). */
  concurrency: number;
  /** Places beyond the running ones (COMPRESS_QUEUE_MAX). */
  maxWaiting: number;
  /** Places one account may hold at once (COMPRESS_PLACES_PER_ACCOUNT; default half of all places). */
  perAccount?: number;
  /** Decoded pixels running at once (COMPRESS_PIXEL_BUDGET); a larger job runs alone. Default: no limit. */
  pixelBudget?: number;
  retryAfterSeconds?: number;
}

interface Waiter {
  owner: string;
  pixels: number;
  /** Arrival order: the tie-break between accounts with as many jobs running. */
  seq: number;
  start(): void;
}

/** The error a job still in line gets when its client has gone: nothing was run, nothing stored. */
export const cancelled = () =>
  new AppError(499, "request_aborted", "the client closed the request; the job was cancelled");

/** Half the places, at least one: one account can never hold them all (and so starve the others). */
export function defaultPerAccount(concurrency: number, maxWaiting: number): number {
  return Math.max(1, Math.floor((concurrency + maxWaiting) / 2));
}

/**
 * At most `concurrency` jobs run at once, and at most `concurrency + maxWaiting` hold a place: a
 * place is taken when the request arrives, before its source is downloaded or its upload read, and
 * held until the job ends. So the sources in memory are bounded by the places (× MAX_SOURCE_BYTES),
 * and a busy converter answers 503 before downloading anything, not after.
 *
 * Fair between accounts: one account holds at most `perAccount` places (a slow source of its own
 * cannot fill the line), and a free slot goes to the waiting job whose account has the fewest
 * running, oldest first. Memory is bounded by decoded pixels, not source bytes (a 150 KB JPEG can
 * decode to 50 MP): a job starts only when its pixels fit the budget beside those running; the
 * next job in line waits for that rather than being overtaken, so a large image is never starved.
 * Hand-written because p-limit and p-queue bound neither the waiting list, a place held across two
 * phases, a per-key share, nor a weighted budget.
 */
export function createCompressionQueue(opts: CompressionQueueOptions): CompressionQueue {
  const retryAfter = { "retry-after": String(opts.retryAfterSeconds ?? 2) };
  const perAccount = opts.perAccount ?? defaultPerAccount(opts.concurrency, opts.maxWaiting);
  const budget = opts.pixelBudget ?? Number.POSITIVE_INFINITY;
  const total = opts.concurrency + opts.maxWaiting;
  const places = limitedTickets(
    total,
    () =>
      new AppError(503, "busy", "too many images are being processed; retry later", { headers: retryAfter }),
  );
  const held = new Map<string, number>();
  const running = new Map<string, number>();
  /** When each account holding places last had a job started (a `starts` value). */
  const served = new Map<string, number>();
  let starts = 0;
  const waiting: Waiter[] = [];
  let active = 0;
  let activePixels = 0;
  let seq = 0;

  const bump = (counts: Map<string, number>, owner: string, by: number) => {
    const n = (counts.get(owner) ?? 0) + by;
    if (n === 0) counts.delete(owner);
    else counts.set(owner, n);
  };

  /** Round robin: the account with the fewest jobs running, then the one served longest ago, then the oldest job. */
  const before = (a: Waiter, b: Waiter): boolean => {
    const [ra, rb] = [running.get(a.owner) ?? 0, running.get(b.owner) ?? 0];
    if (ra !== rb) return ra < rb;
    const [sa, sb] = [served.get(a.owner) ?? -1, served.get(b.owner) ?? -1];
    if (sa !== sb) return sa < sb;
    return a.seq < b.seq;
  };
  const next = (): Waiter | undefined => {
    let best: Waiter | undefined;
    for (const w of waiting) if (!best || before(w, best)) best = w;
    return best;
  };

  const fits = (pixels: number) => active === 0 || activePixels + pixels <= budget;

  const dispatch = () => {
    for (;;) {
      if (active >= opts.concurrency) return;
      const w = next();
      if (!w || !fits(w.pixels)) return;
      waiting.splice(waiting.indexOf(w), 1);
      w.start();
    }
  };

  /** Waits until the job may run; then it counts as running until `finish`. */
  const enter = (owner: string, pixels: number, signal: AbortSignal | undefined): Promise<void> => {
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = waiting.indexOf(waiter);
        if (at < 0) return;
        waiting.splice(at, 1);
        reject(cancelled());
        dispatch(); // the job it held back (pixel budget) may fit now
      };
      const waiter: Waiter = {
        owner,
        pixels,
        seq: seq++,
        start() {
          signal?.removeEventListener("abort", onAbort);
          active++;
          activePixels += pixels;
          bump(running, owner, 1);
          served.set(owner, starts++);
          resolve();
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      waiting.push(waiter);
      dispatch();
    });
  };

  const finish = (owner: string, pixels: number) => {
    active--;
    activePixels -= pixels;
    bump(running, owner, -1);
    dispatch();
  };

  const admit = (owner: string): Place => {
    // A full queue is busy for everyone (503); otherwise an account over its share is told so (429).
    if ((held.get(owner) ?? 0) >= perAccount && places.out < total) {
      throw new AppError(
        429,
        "too_many_conversions",
        `this account already has ${perAccount} images in progress; retry when one has finished`,
        { headers: retryAfter },
      );
    }
    const place = places.take();
    bump(held, owner, 1);
    let returned = false;
    let used = false; // run, or given back unused
    const giveBack = () => {
      if (returned) return;
      returned = true;
      bump(held, owner, -1);
      if (!held.has(owner)) served.delete(owner);
      place.release();
    };
    return {
      release() {
        used = true;
        giveBack();
      },
      async run(job, runOpts = {}) {
        if (used) throw new Error("a place runs one job");
        used = true;
        const pixels = Math.min(Math.max(0, runOpts.pixels ?? 0), budget);
        try {
          await enter(owner, pixels, runOpts.signal);
          try {
            return await job();
          } finally {
            finish(owner, pixels);
          }
        } finally {
          giveBack();
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
    get activePixels() {
      return activePixels;
    },
    get waitingPixels() {
      return waiting.reduce((sum, w) => sum + w.pixels, 0);
    },
  };
}
