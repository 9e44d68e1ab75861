import { type TObject, type TProperties, type TSchema, Type } from "typebox";

/**
 * Response schemas shared by both services. They document the answers in OpenAPI and, because
 * Fastify serialises JSON replies with them, they are also what is sent: a field missing here
 * never reaches a caller. The OpenAPI conformance test checks real answers against them.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ErrorReply = Type.Object(
  {
    status: Type.Integer({ description: "the HTTP status, repeated" }),
    code: Type.String({ description: "stable snake_case code to branch on", examples: ["not_found"] }),
    message: Type.String({ description: "human text" }),
    request_id: Type.Optional(Type.String({ description: "the X-Request-Id of this request" })),
  },
  { additionalProperties: false, description: "an error" },
);

export const ImageJsonSchema = Type.Object(
  {
    id: Type.Integer({ description: "the image id (shared by uploads and article images)" }),
    article_id: Nullable(Type.String()),
    content_type: Type.String(),
    bytes: Type.Integer(),
    width: Type.Integer(),
    height: Type.Integer(),
    quality: Nullable(Type.Integer()),
    encodes: Type.Integer({ description: "JPEG encodes the engine needed" }),
    sha256: Type.String({ pattern: "^[0-9a-f]{64}$", description: "of the stored bytes; also the ETag" }),
    source: Type.Object(
      {
        url: Nullable(Type.String({ description: "null for direct uploads" })),
        format: Type.String(),
        bytes: Type.Integer(),
        width: Type.Integer(),
        height: Type.Integer(),
      },
      { additionalProperties: false },
    ),
    created_at: Type.String({ format: "date-time" }),
    updated_at: Type.String({ format: "date-time" }),
  },
  { additionalProperties: false },
);

/** `{status, message}` (the original API's shape) followed by the given fields. */
export function statusReply<P extends TProperties>(properties: P, description: string): TObject {
  return Type.Object(
    { status: Type.Integer(), message: Type.String(), ...properties },
    { additionalProperties: false, description },
  );
}

export const ImageReply = statusReply(ImageJsonSchema.properties, "the stored image's facts");

/** POST /convert's answer: as ImageReply, and `unchanged` when the source had not changed. */
export const StoredImageReply = statusReply(
  {
    ...ImageJsonSchema.properties,
    unchanged: Type.Optional(
      Type.Boolean({ description: "true: the source had not changed; the stored image was kept as is" }),
    ),
  },
  "the stored image's facts",
);

export const HealthReply = statusReply({}, "the process answers");
export const ReadyReply = statusReply(
  { checks: Type.Record(Type.String(), Type.Boolean()) },
  "each readiness check by name",
);

/** Every route can refuse (4xx) or fail (5xx) with the same error body. */
export const errorReplies = { "4xx": ErrorReply, "5xx": ErrorReply } as const;
