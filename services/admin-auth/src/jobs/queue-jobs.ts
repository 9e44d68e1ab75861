import { enqueueConversions, type JobRequest } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import type { FastifyInstance } from "fastify";

/** Seconds a client over its limit is asked to wait: about what a few jobs take. */
const FULL_RETRY_AFTER_SECONDS = 30;

/** Queue every request, or none: 429 + Retry-After when the account would pass MAX_QUEUED_PER_USER. */
export async function queueJobs(
  app: FastifyInstance,
  maxUnfinished: number,
  opts: { ownerId: number; items: JobRequest[]; callbackUrl: string | null },
): Promise<string[]> {
  if (!app.queue) throw new AppError(503, "queue_unavailable", "queued conversions are not available here");
  const queued = await enqueueConversions(app.sql, app.queue, { ...opts, maxUnfinished });
  if (!queued.queued) {
    throw new AppError(
      429,
      "too_many_jobs",
      `this account has ${queued.unfinished} unfinished jobs; at most ${maxUnfinished} may wait at once`,
      { headers: { "retry-after": String(FULL_RETRY_AFTER_SECONDS) } },
    );
  }
  return queued.ids;
}
