import { findImageById, findImageMetaById } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import { admission, clientGone, limitedTickets } from "@belfoot/fastify-kit";
import { CONVERTER_PATHS, type UploadOptions } from "@belfoot/internal-contract";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Gauge } from "prom-client";
import { type Static, Type } from "typebox";
import { decodeBase64Image } from "../base64-image";
import { deleteChecked } from "../image-delete";
import { assertCanAccess, type ImageReplyOptions, sendImage } from "../image-reply";
import { callerOf } from "../plugins/authenticate";
import { relay } from "../plugins/converter-client";
import { DeletedReplies, JpegReplies, StoredReplies } from "../replies";

// The old clients sent x, y and quality as strings as often as numbers: both are accepted.
const Dimension = Type.Union([
  Type.Integer({ minimum: 1, maximum: 100_000 }),
  Type.String({ pattern: "^[0-9]{1,6}$" }),
]);
const Quality = Type.Union([
  Type.Integer({ minimum: 1, maximum: 100 }),
  Type.String({ pattern: "^[0-9]{1,3}$" }),
]);

const UploadBody = Type.Object(
  {
    img: Type.String({ minLength: 1 }),
    x: Type.Optional(Dimension),
    y: Type.Optional(Dimension),
    quality: Type.Optional(Quality),
  },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

export interface UploadRoutesOptions extends ImageReplyOptions {
  bodyLimit: number;
  /** Uploads received, decoded and forwarded at once (UPLOADS_AT_ONCE). */
  uploadsAtOnce: number;
}

function optionalInt(value: number | string | undefined, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new AppError(400, "invalid_body", `invalid body: ${name} must be an integer from 1 to ${max}`);
  }
  return n;
}

/** The original API's images: POST /img (base64 upload), GET /img/:id and its old alias GET /:id, DELETE /img/:id. */
export const uploadRoutes: FastifyPluginAsyncTypebox<UploadRoutesOptions> = async (app, opts) => {
  // Each upload holds its body several times over while it is parsed and decoded (the JSON text, the
  // base64 string, the image bytes): a bounded number at once, the rest turned away before their
  // bodies are read (admission). nginx limits each client's rate, not how many clients upload at once.
  const uploads = limitedTickets(
    opts.uploadsAtOnce,
    () =>
      new AppError(503, "busy", "too many uploads are being received; retry later", {
        headers: { "retry-after": "2" },
      }),
  );
  new Gauge({
    name: "belfoot_uploads_in_progress",
    help: "POST /img uploads holding a place (UPLOADS_AT_ONCE): being received, decoded or forwarded",
    registers: [app.metrics],
    collect() {
      this.set(uploads.out);
    },
  });
  const { hooks, claim } = admission(uploads.take);
  app.post(
    "/img",
    {
      schema: {
        summary: "Upload a base64 image, compress it and store it",
        operationId: "uploadImage",
        body: UploadBody,
        response: StoredReplies,
      },
      bodyLimit: opts.bodyLimit,
      // Credentials first (a Basic or Bearer header: this body has no room for inline ones), so a
      // caller who cannot authenticate never holds a place, however slowly it sends.
      onRequest: [app.authenticate, hooks.onRequest],
    },
    async (request, reply) => {
      const slot = claim(request);
      try {
        return await storeUpload(request, request.body, reply);
      } finally {
        slot.release();
      }
    },
  );

  /** Decodes the base64 image and has the converter compress and store it for the caller. */
  const storeUpload = async (
    request: FastifyRequest,
    body: Static<typeof UploadBody>,
    reply: FastifyReply,
  ) => {
    const caller = callerOf(request);
    const bytes = decodeBase64Image(body.img);
    const options: UploadOptions = {
      max_width: optionalInt(body.x, "x", 100_000),
      max_height: optionalInt(body.y, "y", 100_000),
      quality: optionalInt(body.quality, "quality", 100),
    };
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(options)) if (value) query.set(name, String(value));
    const answer = await app.converter.call({
      method: "POST",
      path: `${CONVERTER_PATHS.uploads}${query.size ? `?${query}` : ""}`,
      body: bytes,
      contentType: "application/octet-stream",
      ownerId: caller.id,
      requestId: request.id,
      signal: clientGone(reply),
    });
    return relay(reply, answer);
  };

  // A delete checks the row as stored now: a remembered one may predate a change still on its way.
  const accessibleMeta = async (id: number, request: FastifyRequest, { fresh = false } = {}) => {
    const load = () => findImageMetaById(app.sql, id);
    const meta = await (opts.metas && !fresh ? opts.metas.byId(id, load) : load());
    if (!meta) throw new AppError(404, "not_found", `no image with id ${id}`);
    assertCanAccess(callerOf(request), meta);
    return meta;
  };
  const readById = async (id: number, request: FastifyRequest, reply: FastifyReply) => {
    const meta = await accessibleMeta(id, request);
    return sendImage(request, reply, meta, () => findImageById(app.sql, meta.id), opts);
  };
  const byId = (summary: string, operationId: string) => ({
    schema: { summary, operationId, params: IdParams, response: JpegReplies },
    preHandler: app.authenticate,
  });
  app.get("/img/:id", byId("Read an image by id (JPEG)", "getImage"), (request, reply) =>
    readById(request.params.id, request, reply),
  );
  // Old clients read `GET /:id`; only digits match, so every named route keeps its path.
  app.get(
    "/:id(^\\d+$)",
    byId("Read an image by id, original path (JPEG)", "getImageByLegacyPath"),
    (request, reply) => readById(request.params.id, request, reply),
  );

  // Any stored image by id, article images included (one id space), as its reads allow.
  app.delete(
    "/img/:id",
    {
      schema: {
        summary: "Delete an image by id",
        operationId: "deleteImage",
        params: IdParams,
        response: DeletedReplies,
      },
      preHandler: app.authenticate,
    },
    async (request) => {
      const meta = await accessibleMeta(request.params.id, request, { fresh: true });
      return deleteChecked(app.sql, meta, opts.images, request.log, opts.metas);
    },
  );
};
