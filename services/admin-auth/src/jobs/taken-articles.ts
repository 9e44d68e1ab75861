import { findArticlesTakenFrom, type JobError, type Sql } from "@belfoot/db";
import type { Caller } from "../plugins/authenticate";

/** The error a job for another account's article gets: what the synchronous POST /convert answers. */
export const articleTakenError = (articleId: string, where = ""): JobError => ({
  status: 409,
  code: "article_taken",
  message: `${where}article ${articleId} belongs to another account`,
});

/**
 * The articles among these that the caller may not replace (admins may replace any). Checked at
 * submission so such a job is refused at once rather than failing later; the converter checks again
 * when it stores, for an article first stored by someone else meanwhile.
 */
export async function takenArticles(sql: Sql, caller: Caller, articleIds: string[]): Promise<Set<string>> {
  if (caller.role === "admin") return new Set();
  return findArticlesTakenFrom(sql, caller.id, articleIds);
}
