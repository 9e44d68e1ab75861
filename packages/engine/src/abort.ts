import { EngineError } from "./errors";

/**
 * Stop here when the caller has given up (its client left, its deadline passed). Checked before each
 * decode, resize and encode: a running libvips call cannot be interrupted, so the work stops at most
 * one encode after the signal.
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new EngineError("aborted", "the compression was cancelled by its caller", { cause: signal.reason });
  }
}
