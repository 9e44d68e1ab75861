import { findImageMetaById, linkDecisionLastSecond } from "@belfoot/db";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { AccelKey } from "../reads/accel";
import type { LinkSigner, LinkTarget } from "../reads/link-signer";

export interface LinkDecisionRouteOptions {
  accel: AccelKey;
  links: LinkSigner;
}

/** Where nginx's auth_request asks whether a signed link may be served (nginx/templates). */
export const LINK_DECISION_ROUTE = "/_internal/link-decisions";

const ID = /^[1-9][0-9]{0,9}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const EXPIRES = /^[0-9]{1,12}$/;

/**
 * nginx's question for a signed link: 200 when it may serve the image's bytes now, else 401 with no
 * reason (nginx then passes the request to GET /links/…, which answers the JSON error). A 200 says
 * until when nginx may answer the same link without asking again (X-Accel-Expires, an absolute
 * second: never past the link's expiry, and short enough that a delete or replace can wait it out,
 * see @belfoot/db link-decisions), the `k` nginx needs to fetch the bytes on a miss, and the
 * Cache-Control for the client, whose max-age still holds at the decision's last moment. Nothing but
 * 200 or 401: auth_request turns any other status into a 500. Hidden from the OpenAPI document.
 */
export const linkDecisionRoute: FastifyPluginAsyncTypebox<LinkDecisionRouteOptions> = async (app, opts) => {
  app.get(
    `${LINK_DECISION_ROUTE}/:id/:sha256`,
    {
      schema: {
        hide: true,
        params: Type.Object({ id: Type.String(), sha256: Type.String() }),
        querystring: Type.Object({
          expires: Type.Optional(Type.Any()),
          signature: Type.Optional(Type.Any()),
        }),
      },
    },
    async (request, reply) => {
      // Before the database read: a change committed after this moment may not be seen by it.
      const decidedAtMs = Date.now();
      const target = parseTarget(request.params, request.query.expires);
      const signature = request.query.signature;
      const refuse = () => reply.code(401).header("cache-control", "no-store").send();
      if (!target || typeof signature !== "string" || signature.length > 64) return refuse();
      if (!opts.links.verify(target, signature)) return refuse();
      if (target.expires * 1000 <= decidedAtMs) return refuse();
      const meta = await findImageMetaById(app.sql, target.id);
      if (!meta || meta.sha256 !== target.sha256) return refuse();
      const lastSecond = linkDecisionLastSecond(decidedAtMs, target.expires);
      return reply
        .code(200)
        .header("x-accel-expires", `@${lastSecond}`)
        .header("x-belfoot-image-key", opts.accel.key(meta.id, meta.sha256))
        .header("x-belfoot-cache-control", `public, max-age=${target.expires - lastSecond - 1}`)
        .send();
    },
  );
};

function parseTarget(params: { id: string; sha256: string }, expires: unknown): LinkTarget | undefined {
  if (!ID.test(params.id) || !SHA256.test(params.sha256)) return undefined;
  if (typeof expires !== "string" || !EXPIRES.test(expires)) return undefined;
  return { id: Number(params.id), sha256: params.sha256, expires: Number(expires) };
}
