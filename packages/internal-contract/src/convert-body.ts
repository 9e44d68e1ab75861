import { ArticleId } from "@belfoot/api-schemas";
import { type Static, Type } from "typebox";

/** A source image's address: the gateway checks it is http(s), the converter fetches it safely. */
const SourceUrl = Type.String({
  minLength: 1,
  maxLength: 4096,
  description: "http(s) URL of the source image",
});

/** What to convert: the fields of `data` the gateway forwards (its own may add more, never fewer). */
export const ConvertDataProperties = { url: SourceUrl, article_id: ArticleId };

/** POST /convert's body as the converter receives it: only `data` travels on, never credentials. */
export const ForwardedConvertBody = Type.Object({
  data: Type.Object(ConvertDataProperties, { additionalProperties: false }),
});

export type ConvertData = Static<typeof ForwardedConvertBody>["data"];
