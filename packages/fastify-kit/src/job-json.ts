import type { ConversionJob } from "@belfoot/db";

/** A job as GET /jobs/:id and webhooks show it; `result` and `error` only when there is one. */
export function describeJob(job: ConversionJob) {
  return {
    job_id: job.id,
    state: job.state,
    attempts: job.attempts,
    article_id: job.articleId,
    ...(job.result ? { result: job.result } : {}),
    ...(job.error ? { error: job.error } : {}),
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
  };
}
export type JobJson = ReturnType<typeof describeJob>;
