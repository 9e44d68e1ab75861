import { type SavedImage, type Sql, saveImage } from "@belfoot/db";
import type { CompressResult } from "@belfoot/engine";

/** Where a compressed image came from and whose it is: what the engine's result does not know. */
export interface Provenance {
  articleId: string | null;
  ownerId: number | null;
  sourceUrl: string | null;
}

/** Store the engine's JPEG with the facts about it and its source. */
export function storeResult(sql: Sql, result: CompressResult, from: Provenance): Promise<SavedImage> {
  return saveImage(sql, {
    ...from,
    sourceFormat: result.source.format,
    sourceBytes: result.source.bytes,
    sourceWidth: result.source.displayWidth,
    sourceHeight: result.source.displayHeight,
    width: result.width,
    height: result.height,
    quality: result.quality,
    encodes: result.encodes,
    data: result.jpeg,
  });
}
