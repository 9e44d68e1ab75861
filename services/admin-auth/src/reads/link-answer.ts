import { findImageById, findImageMetaById, linkAnswerLastSecond, type Sql } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import type { FastifyReply } from "fastify";
import type { ImageBytesCache } from "../image-bytes-cache";
import { sendImageBytes } from "../image-reply";
import type { LinkTarget } from "./link-signer";

/** A link whose image was replaced or deleted since it was signed. */
export const linkGone = () =>
  new AppError(404, "not_found", "the image this link names was replaced or deleted");

/**
 * A valid, unexpired signed link's image, answered to nginx, which keeps the whole answer for this
 * exact link until the end of the second X-Accel-Expires names and serves every request for it in
 * the meantime without asking (docs/decisions/0192-link-answers-cached-by-nginx.md). The row is read
 * from PostgreSQL, never from the metadata cache, which follows the change feed a little behind: a
 * delete or replace waits until answers begun before its commit have lapsed (linkAnswersLapsed), so
 * an answer begun after must see the commit. Cache-Control's max-age still holds at the answer's
 * last moment in nginx, so no browser or CDN keeps it past the link's expiry.
 */
export async function sendLinkAnswer(
  sql: Sql,
  images: ImageBytesCache,
  reply: FastifyReply,
  target: LinkTarget,
): Promise<FastifyReply> {
  // Before the database read: a change committed after this moment may not be seen by it.
  const answeredAtMs = Date.now();
  const meta = await findImageMetaById(sql, target.id);
  if (!meta || meta.sha256 !== target.sha256) throw linkGone();
  const image = await images.get(meta, () => findImageById(sql, target.id));
  if (!image || image.sha256 !== target.sha256) throw linkGone();
  const lastSecond = linkAnswerLastSecond(answeredAtMs, target.expires);
  reply.header("x-accel-expires", `@${lastSecond}`);
  return sendImageBytes(reply, image, `public, max-age=${target.expires - lastSecond - 1}`);
}
