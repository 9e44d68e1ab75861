/**
 * A bounded job limiter: at most `concurrency` jobs run, the rest wait in FIFO order. Many 24 MP
 * sources arriving together then hold at most `concurrency` decoded images in memory at once.
 */
export interface Limiter {
  <T>(job: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly waiting: number;
  readonly concurrency: number;
}

export function limitConcurrency(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (active >= concurrency) return;
    const start = queue.shift();
    if (start) {
      active++;
      start();
    }
  };
  const run = <T>(job: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        job()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
  return Object.defineProperties(run, {
    active: { get: () => active },
    waiting: { get: () => queue.length },
    concurrency: { value: concurrency },
  }) as Limiter;
}
