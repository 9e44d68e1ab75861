import type { ImageMeta, ImageWithData } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ImageBytesCache } from "./image-bytes-cache";
import type { ImageMetaCache } from "./image-meta-cache";
import { type Caller, callerOf } from "./plugins/authenticate";
import { type AccelKey, cameThroughNginx } from "./reads/accel";

/** Owners read and delete their images, admins all; anyone else learns only that it is not theirs. */
export function assertCanAccess(caller: Caller, image: ImageMeta): void {
  if (caller.role !== "admin" && image.ownerId !== caller.id) {
    throw new AppError(403, "forbidden", "this image belongs to another user");
  }
}

/** Does If-None-Match name this ETag? Handles lists, weak forms and `*` (RFC 9110 §13.1.2). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

const etagOf = (image: ImageMeta) => `"${image.sha256}"`;

/** What every image answer says of its bytes: the ETag is their sha256 (strong). */
function setValidators(reply: FastifyReply, image: ImageMeta, cacheControl: string): void {
  reply
    .header("etag", etagOf(image))
    .header("cache-control", cacheControl)
    .header("last-modified", image.updatedAt.toUTCString())
    .header("x-content-type-options", "nosniff");
}

/**
 * Headers of an answer to a reader's credentials: it varies with them (private by default, so
 * shared caches do not keep it).
 */
function setImageHeaders(reply: FastifyReply, image: ImageMeta, cacheControl: string): void {
  setValidators(reply, image, cacheControl);
  reply.header("vary", "Authorization");
}

/** Sends the stored bytes themselves, with their validators and `cacheControl`. */
export function sendImageBytes(reply: FastifyReply, image: ImageWithData, cacheControl: string) {
  setValidators(reply, image, cacheControl);
  return reply.type(image.contentType).header("content-length", image.data.length).send(image.data);
}

/** How image answers are served: their Cache-Control max-age, and the caches they share. */
export interface ImageReplyOptions {
  cacheMaxAge: number;
  images: ImageBytesCache;
  /** Makes the X-Accel-Redirect targets for requests nginx sent (it then serves the bytes itself). */
  accel: AccelKey;
  /** Rows by article and by id, kept true by the change feed; optional for callers without one. */
  metas?: ImageMetaCache;
}

/** How one answer differs from an authenticated read (a signed link's: public, for anyone). */
export interface ServeAs {
  /** Default: `private, max-age=cacheMaxAge`. */
  cacheControl?: string;
  /** Throws when the row actually loaded may not be served; default: the caller's access check. */
  check?: (image: ImageMeta) => void;
}

/**
 * 304 when the caller already has these bytes, else loads them (or takes them from the cache) and
 * sends the JPEG. `meta` was access-checked; the row loaded may be another (the article deleted and
 * stored again in between), so access is checked again on what is actually served.
 */
export async function sendImage(
  request: FastifyRequest,
  reply: FastifyReply,
  meta: ImageMeta,
  load: () => Promise<ImageWithData | undefined>,
  { cacheMaxAge: maxAge, images, accel }: ImageReplyOptions,
  { cacheControl = `private, max-age=${maxAge}`, check }: ServeAs = {},
) {
  if (matchesEtag(request.headers["if-none-match"], etagOf(meta))) {
    setImageHeaders(reply, meta, cacheControl);
    return reply.code(304).send();
  }
  if (cameThroughNginx(request)) {
    // Only Cache-Control and Content-Type cross an X-Accel-Redirect: the bytes, their length, ETag
    // and Last-Modified come from nginx's cache of the internal location, which adds Vary and
    // nosniff itself. So nothing else is set here: this is the hot path of every read.
    return reply
      .header("cache-control", cacheControl)
      .type(meta.contentType)
      .header("x-accel-redirect", accel.targetOf(meta))
      .send();
  }
  const image = await images.get(meta, load);
  // Replaced between the two reads: answer with what is stored now, with its own ETag, if allowed.
  if (!image) throw new AppError(404, "not_found", "no image is stored here");
  if (check) check(image);
  else assertCanAccess(callerOf(request), image);
  reply.header("vary", "Authorization");
  return sendImageBytes(reply, image, cacheControl);
}
