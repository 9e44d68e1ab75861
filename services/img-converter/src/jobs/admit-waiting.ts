import { isAppError } from "@belfoot/errors";
import type { CompressionQueue, Place } from "../compression-queue";

/**
 * A place for a queued job, counted against its account's share like a request of that account.
 * The synchronous route answers 503 (every place held) or 429 (the account's share held); a queued
 * job has no caller to answer, so it waits for a place instead (polling: the place counter has no
 * waiting list of its own, and a place frees within one compression).
 */
export async function admitWaiting(
  queue: CompressionQueue,
  owner: string,
  signal: AbortSignal,
  pollMs = 200,
): Promise<Place> {
  for (;;) {
    try {
      return queue.admit(owner);
    } catch (err) {
      if (!isAppError(err) || (err.status !== 503 && err.status !== 429)) throw err;
    }
    signal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
