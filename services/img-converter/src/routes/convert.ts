import { ArticleId, admission, clientGone, describeImage } from "@belfoot/fastify-kit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { admitRequest } from "../admit-request";
import { assertMayStore, OwnerHeader, uploaderOf } from "../article-owner";
import type { ConverterContext } from "../context";
import { runCompression } from "../run-compression";
import { storeResult } from "../store-result";

const ConvertBody = Type.Object({
  data: Type.Object(
    {
      url: Type.String({ minLength: 1, maxLength: 4096 }),
      article_id: ArticleId,
    },
    { additionalProperties: false },
  ),
});

/** POST /convert: fetch the URL, compress it within the budget, store it under the article id. */
export const convertRoutes: FastifyPluginAsyncTypebox<ConverterContext> = async (app, ctx) => {
  // A place in line before the download: a busy converter (or account) says so before fetching anything.
  const { hooks, claim: placeOf } = admission(admitRequest(ctx));
  app.post(
    "/convert",
    { schema: { body: ConvertBody, headers: OwnerHeader }, ...hooks },
    async (request, reply) => {
      const { url, article_id: articleId } = request.body.data;
      const uploader = uploaderOf(request);
      await assertMayStore(app.sql, articleId, uploader);
      const place = placeOf(request);
      // The client gone (admin-auth aborts when its own client leaves): download and compression stop.
      const signal = clientGone(reply);
      const source = await ctx.fetcher.fetch(url, signal).catch((err: unknown) => {
        place.release();
        ctx.metrics.fetchFailed(err);
        throw err;
      });
      const result = await runCompression(place, source.bytes, {
        maxBytes: ctx.config.MAX_OUTPUT_BYTES,
        limitInputPixels: ctx.config.LIMIT_INPUT_PIXELS,
        maxOutputPixels: ctx.config.MAX_OUTPUT_PIXELS,
        signal,
      });
      ctx.metrics.compressed(result);
      const saved = await storeResult(app.sql, result, {
        articleId,
        uploader,
        sourceUrl: source.finalUrl,
      });
      request.log.info(
        {
          article_id: articleId,
          id: saved.id,
          bytes: saved.bytes,
          encodes: result.encodes,
          ms: result.timings.totalMs,
        },
        saved.created ? "image stored" : "image replaced",
      );
      const status = saved.created ? 201 : 200;
      return reply.code(status).send({
        status,
        message: saved.created ? "image stored" : "image replaced",
        ...describeImage(saved),
      });
    },
  );
};
