import { admission, clientGone } from "@belfoot/fastify-kit";
import { CONVERTER_PATHS, ForwardedConvertBody, OwnerHeaders } from "@belfoot/internal-contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { admitRequest } from "../admit-request";
import { assertMayStore, uploaderOf } from "../article-owner";
import type { ConverterContext } from "../context";
import { encodesOf, fetchAndCompress, storeConverted } from "../use-cases/convert-url";

/** POST /convert: fetch the URL, compress it within the budget, store it under the article id. */
export const convertRoutes: FastifyPluginAsyncTypebox<ConverterContext> = async (app, ctx) => {
  // A place in line before the download: a busy converter (or account) says so before fetching anything.
  const { hooks, claim: placeOf } = admission(admitRequest(ctx));
  app.post(
    CONVERTER_PATHS.convert,
    { schema: { body: ForwardedConvertBody, headers: OwnerHeaders }, ...hooks },
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
