import { describeImage } from "@belfoot/api-schemas";
import { admission, clientGone } from "@belfoot/fastify-kit";
import { CONVERTER_PATHS, OwnerHeaders, UploadQuery } from "@belfoot/internal-contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { admitRequest } from "../admit-request";
import { uploaderOf } from "../article-owner";
import type { ConverterContext } from "../context";
import { runCompression } from "../run-compression";
import { storeResult } from "../store-result";

/** POST /uploads: raw image bytes (the gateway decoded the legacy base64), compressed and stored. */
export const uploadRoutes: FastifyPluginAsyncTypebox<ConverterContext> = async (app, ctx) => {
  app.addContentTypeParser(
    "application/octet-stream",
    { parseAs: "buffer", bodyLimit: ctx.config.UPLOAD_BODY_LIMIT_BYTES },
    (_request, body, done) => done(null, body),
  );
  // A place in line before the body is read: a busy converter turns an upload away unread.
  const { hooks, claim: placeOf } = admission(admitRequest(ctx));
  app.post(
    CONVERTER_PATHS.uploads,
    { schema: { querystring: UploadQuery, headers: OwnerHeaders }, ...hooks },
    async (request, reply) => {
      const bytes = request.body as Buffer;
      const { max_width, max_height, quality } = request.query;
      const result = await runCompression(placeOf(request), bytes, {
        maxBytes: ctx.config.MAX_OUTPUT_BYTES,
        limitInputPixels: ctx.config.LIMIT_INPUT_PIXELS,
        maxOutputPixels: ctx.config.MAX_OUTPUT_PIXELS,
        maxWidth: max_width,
        maxHeight: max_height,
        quality,
        signal: clientGone(reply),
      });
      ctx.metrics.compressed(result);
      const saved = await storeResult(app.sql, result, {
        articleId: null,
        uploader: uploaderOf(request),
        sourceUrl: null,
      });
      return reply.code(201).send({ status: 201, message: "image stored", ...describeImage(saved) });
    },
  );
};
