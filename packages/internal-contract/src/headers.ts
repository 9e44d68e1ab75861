import { Type } from "typebox";

/** Header names on the gateway's calls to the converter; nobody else reaches the converter. */
export const INTERNAL_HEADERS = {
  /** The shared INTERNAL_TOKEN: the converter answers only callers that carry it. */
  token: "x-internal-token",
  /** The id of the account the gateway authenticated. */
  ownerId: "x-owner-id",
  /** That account's role: only an admin replaces another account's article. */
  ownerRole: "x-owner-role",
} as const;

/**
 * Who the gateway says is storing, as the converter validates it. Only the gateway holds the token,
 * so these headers are trusted as they come; without a role the caller is no admin.
 */
export const OwnerHeaders = Type.Object({
  [INTERNAL_HEADERS.ownerId]: Type.Optional(Type.Integer({ minimum: 1 })),
  [INTERNAL_HEADERS.ownerRole]: Type.Optional(Type.Union([Type.Literal("admin"), Type.Literal("user")])),
});
