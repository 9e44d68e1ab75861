import { fetchErrors } from "./fetch-errors";

export interface Deadline {
  signal: AbortSignal;
  /** Ends the fetch now with this reason (e.g. a source too slow). */
  abort(reason: unknown): void;
  clear(): void;
}

/**
 * One signal for the whole fetch: fires with a 504 AppError after `totalMs` (undici's own timeouts
 * are per phase and reset on every byte, so a slow-loris body would never trip them), or with a
 * cancellation error when the caller's signal fires. undici rejects with the signal's reason.
 */
export function startDeadline(totalMs: number, caller?: AbortSignal): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(fetchErrors.timeout("fetch (total)")), totalMs);
  const onCallerAbort = () => controller.abort(fetchErrors.aborted(caller?.reason));
  if (caller?.aborted) onCallerAbort();
  else caller?.addEventListener("abort", onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    clear() {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onCallerAbort);
    },
  };
}
