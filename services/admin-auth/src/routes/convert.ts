import { AppError } from "@belfoot/errors";
import { clientGone } from "@belfoot/fastify-kit";
import { CONVERTER_PATHS, type ConvertData, ConvertDataProperties } from "@belfoot/internal-contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { ImageMetaCache } from "../image-meta-cache";
import { answerOnce, jsonAnswer } from "../jobs/answer-once";
import { QueuedReplies } from "../jobs/job-replies";
import { prefersAsync } from "../jobs/prefer-async";
import { queueJobs } from "../jobs/queue-jobs";
import { articleTakenError, takenArticles } from "../jobs/taken-articles";
import type { UrlChecks } from "../jobs/url-checks";
import { callerOf } from "../plugins/authenticate";
import { relayed } from "../plugins/converter-client";
import { StoredReplies } from "../replies";
import { UserCredentials } from "../schemas";

const ConvertBody = Type.Object({
  user: Type.Optional(UserCredentials),
  data: Type.Object(
    {
      ...ConvertDataProperties,
      callback_url: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 4096,
          description: "with `Prefer: respond-async`: where the finished job is POSTed (Standard Webhooks)",
        }),
      ),
    },
    { additionalProperties: false },
  ),
});

export interface ConvertRoutesOptions {
  maxQueuedPerUser: number;
  urls: UrlChecks;
  /** The image rows this process remembers: a replace answered here forgets the old one first. */
  metas: ImageMetaCache;
}

/**
 * POST /convert: credentials checked here, the work forwarded to img-converter, its answer passed
 * through. With `Prefer: respond-async` the work is queued instead: 202 and the job's Location.
 */
export const convertRoutes: FastifyPluginAsyncTypebox<ConvertRoutesOptions> = async (app, opts) => {
  app.post(
    "/convert",
    {
      schema: {
        summary: "Fetch an image URL, compress it and store it as an article's image",
        operationId: "convertArticleImage",
        description:
          "An article id belongs to the account that first stored it: that account and admins replace its " +
          "image (200, the owner unchanged); any other account gets 409 article_taken and nothing is fetched.",
        body: ConvertBody,
        response: { ...StoredReplies, ...QueuedReplies },
      },
      preHandler: app.authenticate,
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { url, article_id: articleId, callback_url: callback } = request.body.data;
      if (prefersAsync(request.headers.prefer)) {
        return answerOnce(app, request, reply, caller, "POST /convert async", async () => {
          opts.urls.source(url);
          if ((await takenArticles(app.sql, caller, [articleId])).size > 0) {
            const { status, code, message } = articleTakenError(articleId);
            throw new AppError(status, code, message);
          }
          const callbackUrl = callback === undefined ? null : await opts.urls.callback(callback);
          const [jobId] = await queueJobs(app, opts.maxQueuedPerUser, {
            ownerId: caller.id,
            items: [{ url, articleId }],
            callbackUrl,
          });
          return jsonAnswer(
            202,
            { status: 202, message: "queued", job_id: jobId, state: "queued" },
            { location: `/jobs/${jobId}`, "preference-applied": "respond-async" },
          );
        });
      }
      if (callback !== undefined) {
        throw new AppError(400, "invalid_body", "data.callback_url needs `Prefer: respond-async`");
      }
      return answerOnce(app, request, reply, caller, "POST /convert", async () => {
        // Only `data` travels on: the credentials stop at the gateway.
        const answer = await app.converter.call({
          method: "POST",
          path: CONVERTER_PATHS.convert,
          body: JSON.stringify({ data: { url, article_id: articleId } satisfies ConvertData }),
          contentType: "application/json",
          ownerId: caller.id,
          ownerRole: caller.role,
          requestId: request.id,
          signal: clientGone(reply),
        });
        // A replace keeps the image's id: this process forgets the article's old row before it
        // answers (the change feed tells the other processes).
        const stored = answer.statusCode < 300 ? storedImageId(answer.body) : undefined;
        if (stored !== undefined) opts.metas.forget({ id: stored, articleId });
        return relayed(answer);
      });
    },
  );
};

function storedImageId(body: Buffer): number | undefined {
  try {
    const id = (JSON.parse(body.toString("utf8")) as { id?: unknown }).id;
    return typeof id === "number" ? id : undefined;
  } catch {
    return undefined;
  }
}
