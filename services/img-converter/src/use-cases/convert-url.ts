import type { SavedImage, Sql } from "@belfoot/db";
import type { CompressResult } from "@belfoot/engine";
import { describeImage } from "@belfoot/fastify-kit";
import type { Uploader } from "../article-owner";
import type { ConverterContext } from "../context";
import type { Place } from "../job-queue";
import { runCompression } from "../run-compression";
import { storeResult } from "../store-result";

/** A source fetched and compressed, not yet stored. */
export interface Converted {
  result: CompressResult;
  finalUrl: string;
}

/** What POST /convert answers: the stored image described, with its status (201 new, 200 replaced). */
export interface ConvertAnswer extends ReturnType<typeof describeImage> {
  status: 200 | 201;
  message: string;
}

/**
 * Fetch the source, then compress it in the place the caller holds (given back whatever happens);
 * `signal` stops both when the work is no longer wanted. POST /convert and the queue's worker both
 * convert through here and `storeConverted`.
 */
export async function fetchAndCompress(
  ctx: ConverterContext,
  place: Place,
  url: string,
  signal: AbortSignal,
): Promise<Converted> {
  const source = await ctx.fetcher.fetch(url, signal).catch((err: unknown) => {
    place.release();
    ctx.metrics.fetchFailed(err);
    throw err;
  });
  const result = await runCompression(place, source.bytes, {
    maxBytes: ctx.config.MAX_OUTPUT_BYTES,
    limitInputPixels: ctx.config.LIMIT_INPUT_PIXELS,
    maxOutputPixels: ctx.config.MAX_OUTPUT_PIXELS,
    signal,
  });
  ctx.metrics.compressed(result);
  return { result, finalUrl: source.finalUrl };
}

/**
 * Store a conversion under its article (replacing an earlier image; 409 article_taken when the
 * article is another account's) and describe it as the answer.
 */
export async function storeConverted(
  sql: Sql,
  converted: Converted,
  to: { articleId: string; uploader: Uploader },
): Promise<{ saved: SavedImage; answer: ConvertAnswer }> {
  const saved = await storeResult(sql, converted.result, { ...to, sourceUrl: converted.finalUrl });
  const message = saved.created ? "image stored" : "image replaced";
  return { saved, answer: { status: saved.created ? 201 : 200, message, ...describeImage(saved) } };
}
