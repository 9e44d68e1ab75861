import { Type } from "typebox";

/**
 * The one limit on article ids: both services' schemas, the router's parameter limit
 * (the gateway's router, ARTICLE_ID_PARAM_MAX_LENGTH) and the database's check constraint (images_article_id_length) all follow it.
 */
export const ARTICLE_ID_MAX_LENGTH = 128;

/** Article ids are the CMS's own: printable, URL-safe, bounded. Both services validate with this. */
export const ArticleId = Type.String({
  minLength: 1,
  maxLength: ARTICLE_ID_MAX_LENGTH,
  pattern: "^[A-Za-z0-9._:~-]+$",
  description: "the CMS's article id",
});

/** Fastify's limit on a path parameter: the longest article id even fully percent-encoded (3 bytes a character). */
export const ARTICLE_ID_PARAM_MAX_LENGTH = 3 * ARTICLE_ID_MAX_LENGTH;
