import { deleteImage, findImageMetaById, type ImageMeta, linkAnswersLapsed, type Sql } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import type { FastifyBaseLogger } from "fastify";
import type { ImageBytesCache } from "./image-bytes-cache";
import type { ImageMetaCache } from "./image-meta-cache";

/**
 * Delete the image `meta` describes, for a caller already allowed to access it. The row goes only
 * if it is still the image that was checked; if it changed in between (an admin replaced the
 * article's image), nothing is deleted: 404 when the image is gone anyway, else 409.
 */
export async function deleteChecked(
  sql: Sql,
  meta: ImageMeta,
  images: ImageBytesCache,
  log: FastifyBaseLogger,
  metas?: ImageMetaCache,
) {
  const deleted = await deleteImage(sql, meta);
  // Gone or changed either way: this process forgets the row before it answers (the change feed
  // tells the other processes).
  metas?.forget(meta);
  if (!deleted) {
    if (!(await findImageMetaById(sql, meta.id))) {
      throw new AppError(404, "not_found", `no image with id ${meta.id}`);
    }
    throw new AppError(409, "image_changed", "the image changed while it was being deleted; read it again");
  }
  images.forget(meta);
  // Answered only once no nginx can still serve the image's signed links from an answer made before.
  await linkAnswersLapsed(Date.now());
  log.info({ image_id: meta.id, article_id: meta.articleId }, "image deleted");
  return { status: 200, message: "image deleted", id: meta.id, article_id: meta.articleId };
}
