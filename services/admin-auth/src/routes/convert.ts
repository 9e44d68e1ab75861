import { clientGone } from "@belfoot/fastify-kit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { callerOf } from "../plugins/authenticate";
import { relay } from "../plugins/converter-client";
import { StoredReplies } from "../replies";
import { ArticleId, UserCredentials } from "../schemas";

const ConvertBody = Type.Object({
  user: Type.Optional(UserCredentials),
  data: Type.Object(
    {
      url: Type.String({ minLength: 1, maxLength: 4096, description: "http(s) URL of the source image" }),
      article_id: ArticleId,
    },
    { additionalProperties: false },
  ),
});

/** POST /convert: credentials checked here, the work forwarded to img-converter, its answer passed through. */
export const convertRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/convert",
    {
      schema: {
        summary: "Fetch an image URL, compress it and store it as an article's image",
        operationId: "convertArticleImage",
        description:
          "An article id belongs to the account that first stored it: that account and admins replace its " +
          "image (200, the owner unchanged); any other account gets 409 article_taken and nothing is fetched.",
        body: ConvertBody,
        response: StoredReplies,
      },
      preHandler: app.authenticate,
    },
    async (request, reply) => {
      const caller = callerOf(request);
      // Only `data` travels on: the credentials stop at the gateway.
      const answer = await app.converter.call({
        method: "POST",
        path: "/convert",
        body: JSON.stringify({ data: request.body.data }),
        contentType: "application/json",
        ownerId: caller.id,
        ownerRole: caller.role,
        requestId: request.id,
        signal: clientGone(reply),
      });
      return relay(reply, answer);
    },
  );
};
