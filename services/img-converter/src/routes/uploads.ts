import { admission, clientGone, describeImage } from "@belfoot/fastify-kit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { admitRequest } from "../admit-request";
import { OwnerHeader, uploaderOf } from "../article-owner";
import type { ConverterContext } from "../context";
import { runCompression } from "../run-compression";
import { storeResult } from "../store-result";

const UploadQuery = Type.Object(
  {
    max_width: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    max_height: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    quality: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

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
    "/uploads",
    { schema: { querystring: UploadQuery, headers: OwnerHeader }, ...hooks },
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
