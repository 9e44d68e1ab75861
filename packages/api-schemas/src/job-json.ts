import type { ConversionJob } from "@belfoot/db";
import { Type } from "typebox";

export const JobState = Type.Union([
  Type.Literal("queued"),
  Type.Literal("active"),
  Type.Literal("completed"),
  Type.Literal("failed"),
]);

/** Why a job (or one item of a batch) failed, in the error body's terms. */
export const JobError = Type.Object({ status: Type.Integer(), code: Type.String(), message: Type.String() });

/** A job as GET /jobs/:id and the webhooks show it. `result` is what the synchronous POST /convert answers. */
export const JobJsonSchema = Type.Object(
  {
    job_id: Type.String({ format: "uuid" }),
    state: JobState,
    attempts: Type.Integer(),
    article_id: Type.String(),
    result: Type.Optional(Type.Object({}, { additionalProperties: true })),
    error: Type.Optional(JobError),
    created_at: Type.String({ format: "date-time" }),
    updated_at: Type.String({ format: "date-time" }),
  },
  { description: "the job" },
);

/** A job row as JobJsonSchema describes it; `result` and `error` only when there is one. */
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
