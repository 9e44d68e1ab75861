import { ImageJsonSchema, ImageReply, StoredImageReply } from "@belfoot/api-schemas";
import { errorReplies, statusReply } from "@belfoot/fastify-kit";
import { Type } from "typebox";

/** The gateway's answers, one schema per kind, used by the routes' `response` (docs and serialisation). */

export const RegistrationReplies = {
  201: statusReply({ id: Type.Integer({ description: "the new user's id" }) }, "user created"),
  ...errorReplies,
};

export const AuthReplies = {
  200: statusReply(
    {
      id: Type.Integer(),
      username: Type.String(),
      token: Type.String({ description: "a JWT for `Authorization: Bearer`" }),
      expires_in: Type.Integer({ description: "seconds until the token expires" }),
    },
    "a bearer token",
  ),
  ...errorReplies,
};

/** POST /convert and POST /img: 201 stored, 200 an article's earlier image replaced (or kept: unchanged). */
export const StoredReplies = {
  200: StoredImageReply,
  201: StoredImageReply,
  ...errorReplies,
};

export const MetaReplies = { 200: ImageReply, ...errorReplies };

/** GET /articles: one page of images, newest first, each as GET /articles/:article_id/meta describes it. */
export const ArticleListReplies = {
  200: statusReply(
    {
      items: Type.Array(ImageJsonSchema),
      next_cursor: Type.Union([Type.String(), Type.Null()], {
        description: "pass as `cursor` for the next page; null on the last page",
      }),
    },
    "a page of article images",
  ),
  ...errorReplies,
};

/** DELETE /articles/:article_id and DELETE /img/:id. */
export const DeletedReplies = {
  200: statusReply(
    {
      id: Type.Integer({ description: "the deleted image's id" }),
      article_id: Type.Union([Type.String(), Type.Null()]),
    },
    "the image is deleted",
  ),
  ...errorReplies,
};

const Jpeg = Type.String({ format: "binary" });

/** The JPEG itself; the ETag is its sha256, so If-None-Match answers 304 without a body. */
export const JpegReplies = {
  200: {
    description: "the JPEG (ETag, Cache-Control: private, Last-Modified)",
    content: { "image/jpeg": { schema: Jpeg } },
  },
  304: { description: "not modified: the caller's copy (If-None-Match) is current", type: "null" },
  ...errorReplies,
};

export const LogReplies = {
  200: {
    description: "the newest log lines, oldest first",
    content: {
      "text/plain": { schema: Type.String({ description: "one formatted line per entry" }) },
      "application/x-ndjson": { schema: Type.String({ description: "one pino JSON object per line" }) },
    },
  },
  ...errorReplies,
};
