import type { ImageMeta } from "@belfoot/db";
import { type TSchema, Type } from "typebox";

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * A stored image as both services answer it. Fastify serialises replies with it, so a field missing
 * here never reaches a caller; the OpenAPI conformance test checks real answers against it.
 */
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

/** A stored image row as ImageJsonSchema describes it. */
export function describeImage(image: ImageMeta) {
  return {
    id: image.id,
    article_id: image.articleId,
    content_type: image.contentType,
    bytes: image.bytes,
    width: image.width,
    height: image.height,
    quality: image.quality,
    encodes: image.encodes,
    sha256: image.sha256,
    source: {
      url: image.sourceUrl,
      format: image.sourceFormat,
      bytes: image.sourceBytes,
      width: image.sourceWidth,
      height: image.sourceHeight,
    },
    created_at: image.createdAt,
    updated_at: image.updatedAt,
  };
}

export type ImageJson = ReturnType<typeof describeImage>;
