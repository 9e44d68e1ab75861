import { describeJob } from "@belfoot/api-schemas";
import { findConversionJob } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { answerOnce, jsonAnswer } from "../jobs/answer-once";
import { checkItems } from "../jobs/batch-items";
import { BatchReplies, JobReplies } from "../jobs/job-replies";
import { queueJobs } from "../jobs/queue-jobs";
import { articleTakenError, takenArticles } from "../jobs/taken-articles";
import type { UrlChecks } from "../jobs/url-checks";
import { callerOf } from "../plugins/authenticate";
import { UserCredentials } from "../schemas";

export interface JobRoutesOptions {
  batchMaxItems: number;
  maxQueuedPerUser: number;
  urls: UrlChecks;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** POST /convert/batch (many conversions queued at once) and GET /jobs/:id (how one is going). */
export const jobRoutes: FastifyPluginAsyncTypebox<JobRoutesOptions> = async (app, opts) => {
  const BatchBody = Type.Object(
    {
      user: Type.Optional(UserCredentials),
      items: Type.Array(Type.Unknown(), { minItems: 1, maxItems: opts.batchMaxItems }),
      callback_url: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    },
    { additionalProperties: false },
  );

  app.post(
    "/convert/batch",
    {
      schema: {
        summary: "Queue many image URLs for conversion at once; each item answered in order",
        operationId: "convertBatch",
        body: BatchBody,
        response: BatchReplies,
      },
      // Room for every item at its largest URL; the default 1 MiB would refuse a full batch.
      bodyLimit: 1024 * 1024 + opts.batchMaxItems * 4400,
      preHandler: app.authenticate,
    },
    async (request, reply) => {
      const caller = callerOf(request);
      return answerOnce(app, request, reply, caller, "POST /convert/batch", async () => {
        const { callback_url: callback } = request.body;
        const callbackUrl = callback === undefined ? null : await opts.urls.callback(callback);
        const shaped = checkItems(request.body.items, opts.urls);
        const taken = await takenArticles(
          app.sql,
          caller,
          shaped.flatMap((c) => ("ok" in c ? [c.ok.articleId] : [])),
        );
        const checked = shaped.map((c, index) =>
          "ok" in c && taken.has(c.ok.articleId)
            ? { error: articleTakenError(c.ok.articleId, `items[${index}]: `) }
            : c,
        );
        const valid = checked.flatMap((c) => ("ok" in c ? [c.ok] : []));
        const ids =
          valid.length === 0
            ? []
            : await queueJobs(app, opts.maxQueuedPerUser, { ownerId: caller.id, items: valid, callbackUrl });
        let next = 0;
        const items = checked.map((c) => ("ok" in c ? { job_id: ids[next++] as string } : c.error));
        return jsonAnswer(202, {
          status: 202,
          message: `${ids.length} of ${checked.length} items queued`,
          queued: ids.length,
          items,
        });
      });
    },
  );

  app.get(
    "/jobs/:id",
    {
      schema: {
        summary: "Read a queued conversion's state, and its answer once finished",
        operationId: "getJob",
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: JobReplies,
      },
      preHandler: app.authenticate,
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { id } = request.params;
      const job = UUID.test(id) ? await findConversionJob(app.sql, id.toLowerCase()) : undefined;
      // Someone else's job is as unknown as a job that never was: ids reveal nothing.
      if (!job || (caller.role !== "admin" && job.ownerId !== caller.id)) {
        throw new AppError(404, "not_found", `no job ${id}`);
      }
      reply.header("cache-control", "private, no-cache");
      return describeJob(job);
    },
  );
};
