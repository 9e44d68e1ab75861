import { JobError, JobJsonSchema, JobState } from "@belfoot/api-schemas";
import { errorReplies, statusReply } from "@belfoot/fastify-kit";
import { Type } from "typebox";

/** POST /convert with `Prefer: respond-async`: the job is queued; Location: /jobs/<id>. */
export const QueuedReplies = {
  202: statusReply({ job_id: Type.String({ format: "uuid" }), state: JobState }, "queued"),
  ...errorReplies,
};

/** POST /convert/batch: one entry per item, in order: its job, or why it was not queued. */
export const BatchReplies = {
  202: statusReply(
    {
      queued: Type.Integer({ description: "items queued" }),
      items: Type.Array(Type.Union([Type.Object({ job_id: Type.String({ format: "uuid" }) }), JobError])),
    },
    "the valid items are queued",
  ),
  ...errorReplies,
};

/** GET /jobs/:id. `result` is exactly what the synchronous POST /convert would have answered. */
export const JobReplies = {
  200: JobJsonSchema,
  ...errorReplies,
};
