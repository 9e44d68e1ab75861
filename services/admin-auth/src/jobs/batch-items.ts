import type { JobError, JobRequest } from "@belfoot/db";
import { isAppError } from "@belfoot/errors";
import { ConvertDataProperties } from "@belfoot/internal-contract";
import { Type } from "typebox";
import { Value } from "typebox/value";
import type { UrlChecks } from "./url-checks";

/** One item is what POST /convert forwards: the queued job hands the converter the same fields. */
const Item = Type.Object(ConvertDataProperties, { additionalProperties: false });

export type CheckedItem = { ok: JobRequest } | { error: JobError };

function invalid(index: number, why: string): { error: JobError } {
  return { error: { status: 400, code: "invalid_item", message: `items[${index}]: ${why}` } };
}

/**
 * Each item on its own: its shape, its URL through the fetch guard's submission checks, and an
 * article named once per batch (two jobs for one article would race for it). One bad item never
 * refuses the others.
 */
export function checkItems(items: unknown[], urls: UrlChecks): CheckedItem[] {
  const seen = new Set<string>();
  return items.map((item, index) => {
    if (!Value.Check(Item, item)) {
      const [first] = Value.Errors(Item, item);
      const where = first?.instancePath ? first.instancePath.slice(1).replaceAll("/", ".") : "item";
      return invalid(index, `${where} ${first?.message ?? "is invalid"}`);
    }
    try {
      urls.source(item.url);
    } catch (err) {
      if (!isAppError(err)) throw err;
      return { error: { status: err.status, code: err.code, message: `items[${index}]: ${err.message}` } };
    }
    if (seen.has(item.article_id)) {
      return {
        error: {
          status: 400,
          code: "duplicate_article_id",
          message: `items[${index}]: article_id ${item.article_id} appears earlier in this batch`,
        },
      };
    }
    seen.add(item.article_id);
    return { ok: { url: item.url, articleId: item.article_id } };
  });
}
