import { statusReply } from "@belfoot/fastify-kit";
import { Type } from "typebox";
import { ImageJsonSchema } from "./image-json";

/** GET /articles/:article_id/meta: the stored image's facts in the `{status, message}` envelope. */
export const ImageReply = statusReply(ImageJsonSchema.properties, "the stored image's facts");

/** POST /convert's and POST /img's answer: as ImageReply, and `unchanged` when the source had not changed. */
export const StoredImageReply = statusReply(
  {
    ...ImageJsonSchema.properties,
    unchanged: Type.Optional(
      Type.Boolean({ description: "true: the source had not changed; the stored image was kept as is" }),
    ),
  },
  "the stored image's facts",
);
