import { ArticleId, admission, clientGone } from "@belfoot/fastify-kit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { admitRequest } from "../admit-request";
import { assertMayStore, OwnerHeader, uploaderOf } from "../article-owner";
import type { ConverterContext } from "../context";
import { encodesOf, fetchAndCompress, storeConverted } from "../use-cases/convert-url";

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
      // The client gone (admin-auth aborts when its own client leaves): download and compression stop.
      const converted = await fetchAndCompress(
        ctx,
        app.sql,
        placeOf(request),
        { url, articleId },
        clientGone(reply),
      );
      const { saved, answer } = await storeConverted(app.sql, converted, { articleId, uploader });
      request.log.info(
        {
          article_id: articleId,
          id: saved.id,
          bytes: saved.bytes,
          encodes: encodesOf(converted),
          ms: "result" in converted ? converted.result.timings.totalMs : 0,
        },
        answer.message,
      );
      return reply.code(answer.status).send(answer);
    },
  );
};
