import { errorReplies, statusReply } from "@belfoot/fastify-kit";
import { Type } from "typebox";

const JobState = Type.Union([
  Type.Literal("queued"),
  Type.Literal("active"),
  Type.Literal("completed"),
  Type.Literal("failed"),
]);
const ItemError = Type.Object({ status: Type.Integer(), code: Type.String(), message: Type.String() });

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
      items: Type.Array(Type.Union([Type.Object({ job_id: Type.String({ format: "uuid" }) }), ItemError])),
    },
    "the valid items are queued",
  ),
  ...errorReplies,
};

/** GET /jobs/:id. `result` is exactly what the synchronous POST /convert would have answered. */
export const JobReplies = {
  200: Type.Object(
    {
      job_id: Type.String({ format: "uuid" }),
      state: JobState,
      attempts: Type.Integer(),
      article_id: Type.String(),
      result: Type.Optional(Type.Object({}, { additionalProperties: true })),
      error: Type.Optional(ItemError),
      created_at: Type.String({ format: "date-time" }),
      updated_at: Type.String({ format: "date-time" }),
    },
    { description: "the job" },
  ),
  ...errorReplies,
};
