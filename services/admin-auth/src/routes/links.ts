import { ArticleId } from "@belfoot/api-schemas";
import { findImageById, findImageMetaByArticle, findImageMetaById, type ImageMeta } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import { errorReplies, statusReply } from "@belfoot/fastify-kit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { assertCanAccess, type ImageReplyOptions, sendImage } from "../image-reply";
import { callerOf } from "../plugins/authenticate";
import { cameThroughNginx } from "../reads/accel";
import { linkGone, sendLinkAnswer } from "../reads/link-answer";
import { type LinkSigner, linkPath } from "../reads/link-signer";
import { JpegReplies } from "../replies";

export interface LinkRoutesOptions extends ImageReplyOptions {
  links: LinkSigner;
  /** LINK_MAX_TTL_S: the longest life a link may ask for. */
  maxTtlSeconds: number;
}

/** A link's life when the caller names none. */
const DEFAULT_TTL_SECONDS = 3600;

const LinkReplies = {
  200: statusReply(
    {
      url: Type.String({ description: "the public URL: anyone may GET it until it expires" }),
      expires_at: Type.String({ format: "date-time" }),
      expires_in: Type.Integer({ description: "seconds the link stays valid" }),
    },
    "a signed link",
  ),
  ...errorReplies,
};

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * GET /articles/:article_id/link makes a signed public link to the article's current image;
 * GET /links/:id/:sha256 serves it to anyone until it expires (through nginx, which keeps each answer
 * for up to a second: reads/link-answer.ts). A link names the image's bytes (its
 * sha256), not the article: once the image is replaced or deleted its links answer 404
 * (docs/decisions/0190-reads-through-nginx-and-signed-links.md).
 */
export const linkRoutes: FastifyPluginAsyncTypebox<LinkRoutesOptions> = async (app, opts) => {
  app.get(
    "/articles/:article_id/link",
    {
      schema: {
        summary: "Make a signed public link to an article's image",
        operationId: "getArticleImageLink",
        params: Type.Object({ article_id: ArticleId }),
        querystring: Type.Object({
          ttl: Type.Optional(
            Type.Integer({
              minimum: 1,
              description: "seconds the link lives (default 3600, at most LINK_MAX_TTL_S)",
            }),
          ),
        }),
        response: LinkReplies,
      },
      preHandler: app.authenticate,
    },
    async (request, reply) => {
      const { article_id: articleId } = request.params;
      const ttl = request.query.ttl ?? Math.min(DEFAULT_TTL_SECONDS, opts.maxTtlSeconds);
      if (ttl > opts.maxTtlSeconds) {
        throw new AppError(400, "invalid_ttl", `ttl must be at most ${opts.maxTtlSeconds} seconds`);
      }
      const load = () => findImageMetaByArticle(app.sql, articleId);
      const meta = await (opts.metas ? opts.metas.byArticle(articleId, load) : load());
      if (!meta) throw new AppError(404, "not_found", `no image for article ${articleId}`);
      assertCanAccess(callerOf(request), meta);
      const target = { id: meta.id, sha256: meta.sha256, expires: nowSeconds() + ttl };
      const path = linkPath(target, opts.links.sign(target));
      reply.header("cache-control", "private, no-store");
      return {
        status: 200,
        message: "signed link",
        url: `${request.protocol}://${request.host}${path}`,
        expires_at: new Date(target.expires * 1000).toISOString(),
        expires_in: ttl,
      };
    },
  );

  app.get(
    "/links/:id/:sha256",
    {
      schema: {
        summary: "Read an image through a signed link (no credentials)",
        operationId: "getImageByLink",
        params: Type.Object({
          id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
          sha256: Type.String({ pattern: "^[0-9a-f]{64}$" }),
        }),
        querystring: Type.Object({
          expires: Type.Integer({ minimum: 0 }),
          signature: Type.String({ maxLength: 64 }),
        }),
        response: JpegReplies,
      },
    },
    async (request, reply) => {
      const { id, sha256 } = request.params;
      const target = { id, sha256, expires: request.query.expires };
      if (!opts.links.verify(target, request.query.signature)) {
        throw new AppError(403, "invalid_link", "this link's signature is not valid");
      }
      const remaining = target.expires - nowSeconds();
      if (remaining <= 0) throw new AppError(410, "link_expired", "this link has expired");
      if (cameThroughNginx(request)) return sendLinkAnswer(app.sql, opts.images, reply, target);
      const load = () => findImageMetaById(app.sql, id);
      const meta = await (opts.metas ? opts.metas.byId(id, load) : load());
      if (!meta || meta.sha256 !== sha256) throw linkGone();
      const sameImage = (image: ImageMeta) => {
        if (image.id !== id || image.sha256 !== sha256) throw linkGone();
      };
      // Shared caches may keep it, never beyond the link's life.
      const cacheControl = `public, max-age=${remaining}`;
      return sendImage(request, reply, meta, () => findImageById(app.sql, id), opts, {
        cacheControl,
        check: sameImage,
      });
    },
  );
};
