import { Type } from "typebox";

/** Article ids are the CMS's own: printable, URL-safe, bounded. Both services validate with this. */
export const ArticleId = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: "^[A-Za-z0-9._:~-]+$",
  description: "the CMS's article id",
});
