import { findImageById, findImageMetaById } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { ImageBytesCache } from "../image-bytes-cache";
import { type AccelKey, BYTES_ROUTE } from "../reads/accel";

export interface ImageBytesRouteOptions {
  accel: AccelKey;
  images: ImageBytesCache;
}

/**
 * The upstream of nginx's image cache: the bytes of image `id` while its sha256 is still `sha256`.
 * Only a URI admin-auth itself signed (in an X-Accel-Redirect) is served; anything else is a 404, the
 * same as a replaced or deleted image, so the route tells outsiders nothing. Not in the OpenAPI
 * document: no client calls it.
 */
export const imageBytesRoute: FastifyPluginAsyncTypebox<ImageBytesRouteOptions> = async (app, opts) => {
  app.get(
    `${BYTES_ROUTE}/:id/:sha256`,
    {
      schema: {
        hide: true,
        params: Type.Object({
          id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
          sha256: Type.String({ pattern: "^[0-9a-f]{64}$" }),
        }),
        querystring: Type.Object({ k: Type.Optional(Type.String({ maxLength: 64 })) }),
      },
    },
    async (request, reply) => {
      const { id, sha256 } = request.params;
      const gone = () => new AppError(404, "not_found", "no image is stored here");
      if (!opts.accel.verify(id, sha256, request.query.k)) throw gone();
      const meta = await findImageMetaById(app.sql, id);
      if (!meta || meta.sha256 !== sha256) throw gone();
      const image = await opts.images.get(meta, () => findImageById(app.sql, id));
      if (!image || image.sha256 !== sha256) throw gone();
      return reply
        .type(image.contentType)
        .header("content-length", image.data.length)
        .header("etag", `"${image.sha256}"`)
        .header("last-modified", image.updatedAt.toUTCString())
        .send(image.data);
    },
  );
};
