import { type Static, Type } from "typebox";

/** POST /uploads' query: the gateway turns the legacy x, y and quality into these; the converter validates them. */
export const UploadQuery = Type.Object(
  {
    max_width: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    max_height: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    quality: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

export type UploadOptions = Static<typeof UploadQuery>;
