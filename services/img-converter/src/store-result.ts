import { linkAnswersLapsed, type SavedImage, type SourceValidators, type Sql, saveImage } from "@belfoot/db";
import type { CompressResult } from "@belfoot/engine";
import { articleTaken, type Uploader } from "./article-owner";

/** Where a compressed image came from and who stores it: what the engine's result does not know. */
export interface Provenance {
  articleId: string | null;
  uploader: Uploader;
  sourceUrl: string | null;
  /** What tells a later fetch of the source whether it changed (none for uploads). */
  source?: SourceValidators;
}

/**
 * Store the engine's JPEG with the facts about it and its source; 409 article_taken when the
 * article turned out to belong to another account (a concurrent first store won). A replace returns
 * only once the signed-link answers nginx may hold for the old bytes have lapsed, so that neither
 * its answer nor its job's outcome comes before the old links answer 404.
 */
export async function storeResult(
  sql: Sql,
  result: CompressResult,
  { articleId, uploader, sourceUrl, source }: Provenance,
): Promise<SavedImage> {
  const saved = await saveImage(
    sql,
    {
      articleId,
      ownerId: uploader.ownerId,
      sourceUrl,
      sourceFormat: result.source.format,
      sourceBytes: result.source.bytes,
      sourceWidth: result.source.displayWidth,
      sourceHeight: result.source.displayHeight,
      width: result.width,
      height: result.height,
      quality: result.quality,
      encodes: result.encodes,
      data: result.jpeg,
      ...source,
    },
    { replaceAnyOwner: uploader.isAdmin },
  );
  if (!saved) throw articleTaken(articleId ?? "");
  if (!saved.created) await linkAnswersLapsed(Date.now());
  return saved;
}
