import { findArticleOwner, type Sql } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";

/**
 * Who the gateway says is storing: its user id and role. Only the gateway reaches the converter (the
 * internal token), so these headers are trusted as they come; without a role the caller is no admin.
 */
export const OwnerHeader = Type.Object({
  "x-owner-id": Type.Optional(Type.Integer({ minimum: 1 })),
  "x-owner-role": Type.Optional(Type.Union([Type.Literal("admin"), Type.Literal("user")])),
});

export interface Uploader {
  ownerId: number | null;
  isAdmin: boolean;
}

export function uploaderOf(request: FastifyRequest): Uploader {
  const headers = request.headers as { "x-owner-id"?: number; "x-owner-role"?: string };
  return { ownerId: headers["x-owner-id"] ?? null, isAdmin: headers["x-owner-role"] === "admin" };
}

export const articleTaken = (articleId: string) =>
  new AppError(409, "article_taken", `article ${articleId} belongs to another account`);

/**
 * An article id belongs to the account that first stored it; only it and admins replace its image.
 * Checked before anything is downloaded, so a refused caller costs no fetch and no encode. Two first
 * stores can still race past this check: the store itself decides then (saveImage).
 */
export async function assertMayStore(sql: Sql, articleId: string, uploader: Uploader): Promise<void> {
  if (uploader.isAdmin) return;
  const stored = await findArticleOwner(sql, articleId);
  if (stored && (uploader.ownerId === null || stored.ownerId !== uploader.ownerId)) {
    throw articleTaken(articleId);
  }
}
