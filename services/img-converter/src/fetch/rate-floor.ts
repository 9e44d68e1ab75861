import { fetchErrors } from "./fetch-errors";

export interface RateFloor {
  /** Counts body bytes as they arrive. */
  received(bytes: number): void;
  stop(): void;
}

/**
 * Cuts off a body that trickles: every `windowMs` from the moment the body starts, the bytes of the
 * window just ended must reach `minBytesPerSecond` × the window, else `abort` gets 504
 * source_too_slow. The total timeout alone would let a source sending 1 byte/s hold its queue place
 * for the whole FETCH_TOTAL_TIMEOUT_MS; undici's body timeout resets on every byte. 0 bytes/s: off.
 */
export function watchRateFloor(
  minBytesPerSecond: number,
  windowMs: number,
  abort: (reason: unknown) => void,
): RateFloor {
  if (minBytesPerSecond <= 0) return { received() {}, stop() {} };
  const needed = (minBytesPerSecond * windowMs) / 1000;
  let inWindow = 0;
  const timer = setInterval(() => {
    if (inWindow < needed) abort(fetchErrors.tooSlow(minBytesPerSecond, windowMs));
    inWindow = 0;
  }, windowMs);
  return {
    received(bytes) {
      inWindow += bytes;
    },
    stop: () => clearInterval(timer),
  };
}
