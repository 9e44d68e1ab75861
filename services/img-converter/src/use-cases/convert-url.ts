import { createHash } from "node:crypto";
import { describeImage } from "@belfoot/api-schemas";
import { findImageMetaByArticle, findStoredSource, type SavedImage, type Sql } from "@belfoot/db";
import type { CompressResult } from "@belfoot/engine";
import { AppError } from "@belfoot/errors";
import type { Uploader } from "../article-owner";
import type { Place } from "../compression-queue";
import type { ConverterContext } from "../context";
import { runCompression } from "../run-compression";
import { storeResult } from "../store-result";

/** A source fetched and compressed, not yet stored, with what tells a later fetch whether it changed. */
export interface Converted {
  result: CompressResult;
  finalUrl: string;
  etag: string | undefined;
  lastModified: string | undefined;
  sha256: string;
}

/** The article's stored source is still current (304, or the very same bytes): nothing to convert. */
interface Unchanged {
  unchanged: true;
}

export type Conversion = Converted | Unchanged;

/** What POST /convert answers: the stored image described, with its status (201 new, 200 replaced or kept). */
export interface ConvertAnswer extends ReturnType<typeof describeImage> {
  status: 200 | 201;
  message: string;
  unchanged?: true;
}

/** What one conversion is: a source URL for an article. */
export interface ConvertRequest {
  url: string;
  articleId: string;
}

/**
 * Fetch the source, then compress it in the place the caller holds (given back whatever happens);
 * `signal` stops both when the work is no longer wanted. A repeat for the same article and URL asks
 * the source whether it changed, and an unchanged source (304, or the same bytes) is neither decoded
 * nor encoded. POST /convert and the queue's worker both convert through here and `storeConverted`.
 */
export async function fetchAndCompress(
  ctx: ConverterContext,
  sql: Sql,
  place: Place,
  { url, articleId }: ConvertRequest,
  signal: AbortSignal,
): Promise<Conversion> {
  const fetched = async () => {
    const stored = await findStoredSource(sql, articleId);
    const previous = stored?.sourceUrl === url ? stored : undefined;
    const validators = previous && { etag: previous.sourceEtag, lastModified: previous.sourceLastModified };
    return { previous, source: await ctx.fetcher.fetchIfChanged(url, validators, signal) };
  };
  const { previous, source } = await fetched().catch((err: unknown) => {
    place.release();
    ctx.metrics.fetchFailed(err);
    throw err;
  });
  if ("notModified" in source) {
    place.release();
    ctx.metrics.unchanged("not_modified");
    return { unchanged: true };
  }
  const sha256 = createHash("sha256").update(source.bytes).digest("hex");
  if (previous?.sourceSha256 === sha256) {
    place.release();
    ctx.metrics.unchanged("same_bytes");
    return { unchanged: true };
  }
  const result = await runCompression(place, source.bytes, {
    maxBytes: ctx.config.MAX_OUTPUT_BYTES,
    limitInputPixels: ctx.config.LIMIT_INPUT_PIXELS,
    maxOutputPixels: ctx.config.MAX_OUTPUT_PIXELS,
    signal,
  });
  ctx.metrics.compressed(result);
  const { finalUrl, etag, lastModified } = source;
  return { result, finalUrl, etag, lastModified, sha256 };
}

/**
 * Store a conversion under its article (replacing an earlier image; 409 article_taken when the
 * article is another account's) and describe it as the answer. An unchanged source keeps the stored
 * row as it is and answers it with `unchanged: true`.
 */
export async function storeConverted(
  sql: Sql,
  conversion: Conversion,
  to: { articleId: string; uploader: Uploader },
): Promise<{ saved: SavedImage; answer: ConvertAnswer }> {
  if ("unchanged" in conversion) {
    const kept = await findImageMetaByArticle(sql, to.articleId);
    // Deleted since its source was checked: the caller retries and converts it afresh.
    if (!kept) throw new AppError(409, "image_changed", "the article's image changed meanwhile; retry");
    const answer = {
      status: 200 as const,
      message: "image unchanged",
      ...describeImage(kept),
      unchanged: true as const,
    };
    return { saved: { ...kept, created: false }, answer };
  }
  const saved = await storeResult(sql, conversion.result, {
    ...to,
    sourceUrl: conversion.finalUrl,
    source: {
      sourceEtag: conversion.etag,
      sourceLastModified: conversion.lastModified,
      sourceSha256: conversion.sha256,
    },
  });
  const message = saved.created ? "image stored" : "image replaced";
  return { saved, answer: { status: saved.created ? 201 : 200, message, ...describeImage(saved) } };
}

/** JPEG encodes a conversion cost: none when the source was unchanged. */
export const encodesOf = (conversion: Conversion) =>
  "unchanged" in conversion ? 0 : conversion.result.encodes;
