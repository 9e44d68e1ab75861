import { ArticleId, describeImage } from "@belfoot/api-schemas";
import { findImageByArticle, findImageMetaByArticle, type ImageMeta, listArticleImages } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { listingOwner } from "../articles/list-owner";
import { decodeCursor, encodeCursor } from "../articles/page-cursor";
import { deleteChecked } from "../image-delete";
import { assertCanAccess, type ImageReplyOptions, sendImage } from "../image-reply";
import { callerOf } from "../plugins/authenticate";
import { ArticleListReplies, DeletedReplies, JpegReplies, MetaReplies } from "../replies";

const Params = Type.Object({ article_id: ArticleId });

const ListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50, description: "images per page" }),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "the previous page's next_cursor" }),
    ),
    owner: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: "admins: one owner's images (user id or name)",
      }),
    ),
  },
  { additionalProperties: false },
);

export type ArticleRoutesOptions = ImageReplyOptions;

/** GET /articles (the caller's article images, a page at a time), GET/HEAD /articles/:article_id (the JPEG), /articles/:article_id/meta (JSON), and DELETE. */
export const articleRoutes: FastifyPluginAsyncTypebox<ArticleRoutesOptions> = async (app, opts) => {
  const readableMeta = async (
    articleId: string,
    request: Parameters<typeof callerOf>[0],
    // A delete checks the row as stored now: a remembered one may predate a change still on its way.
    { fresh = false } = {},
  ): Promise<ImageMeta> => {
    const load = () => findImageMetaByArticle(app.sql, articleId);
    const meta = await (opts.metas && !fresh ? opts.metas.byArticle(articleId, load) : load());
    if (!meta) throw new AppError(404, "not_found", `no image for article ${articleId}`);
    assertCanAccess(callerOf(request), meta);
    return meta;
  };

  app.get(
    "/articles",
    {
      schema: {
        summary: "List the caller's article images (admins: everyone's), newest first, a page at a time",
        operationId: "listArticleImages",
        querystring: ListQuery,
        response: ArticleListReplies,
      },
      preHandler: app.authenticate,
    },
    async (request, reply) => {
      const { limit, cursor, owner } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      const ownerId = await listingOwner(app.sql, callerOf(request), owner);
      const page = await listArticleImages(app.sql, { ownerId, after, limit });
      reply.header("cache-control", "private, no-cache");
      return {
        status: 200,
        message: "ok",
        items: page.images.map(describeImage),
        next_cursor: page.next ? encodeCursor(page.next) : null,
      };
    },
  );

  app.get(
    "/articles/:article_id",
    {
      schema: {
        summary: "Read an article's image (JPEG)",
        operationId: "getArticleImage",
        params: Params,
        response: JpegReplies,
      },
      preHandler: app.authenticate,
    },
    async (request, reply) => {
      const meta = await readableMeta(request.params.article_id, request);
      return sendImage(request, reply, meta, () => findImageByArticle(app.sql, meta.articleId ?? ""), opts);
    },
  );

  app.get(
    "/articles/:article_id/meta",
    {
      schema: {
        summary: "Read an article's image facts, without the bytes",
        operationId: "getArticleImageMeta",
        params: Params,
        response: MetaReplies,
      },
      preHandler: app.authenticate,
    },
    async (request, reply) => {
      const meta = await readableMeta(request.params.article_id, request);
      reply.header("cache-control", "private, no-cache");
      return { status: 200, message: "ok", ...describeImage(meta) };
    },
  );

  // A CMS removes an article's image when the article goes (or on a takedown); a later POST /convert
  // for the same article id stores a new image under a new id.
  app.delete(
    "/articles/:article_id",
    {
      schema: {
        summary: "Delete an article's image",
        operationId: "deleteArticleImage",
        params: Params,
        response: DeletedReplies,
      },
      preHandler: app.authenticate,
    },
    async (request) => {
      const meta = await readableMeta(request.params.article_id, request, { fresh: true });
      return deleteChecked(app.sql, meta, opts.images, request.log, opts.metas);
    },
  );
};
