import { findArticleOwner, type Sql } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import { INTERNAL_HEADERS, type OwnerHeaders } from "@belfoot/internal-contract";
import type { FastifyRequest } from "fastify";
import type { Static } from "typebox";

export interface Uploader {
  ownerId: number | null;
  isAdmin: boolean;
}

export function uploaderOf(request: FastifyRequest): Uploader {
  // Validated against OwnerHeaders by the route, which also made the id a number.
  const headers = request.headers as Static<typeof OwnerHeaders>;
  return {
    ownerId: headers[INTERNAL_HEADERS.ownerId] ?? null,
    isAdmin: headers[INTERNAL_HEADERS.ownerRole] === "admin",
  };
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
