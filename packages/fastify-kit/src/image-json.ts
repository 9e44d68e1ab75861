import type { ImageMeta } from "@belfoot/db";

/** The JSON a stored image is described with, by the converter and the gateway alike. */
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
