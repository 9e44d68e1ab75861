import { createHash } from "node:crypto";
import type { Sql } from "./connect";

/** The facts stored with every image, about it and its source. */
interface ImageFacts {
  articleId: string | null;
  ownerId: number | null;
  sourceUrl: string | null;
  sourceFormat: string;
  sourceBytes: number;
  sourceWidth: number;
  sourceHeight: number;
  width: number;
  height: number;
  quality: number | null;
  encodes: number;
}

/** What tells a repeat fetch of a source whether it changed; null when unknown (uploads, no header). */
export interface SourceValidators {
  sourceEtag?: string | null;
  sourceLastModified?: string | null;
  sourceSha256?: string | null;
}

/** What the converter hands over to store: the JPEG and the facts about it and its source. */
export interface NewImage extends ImageFacts, SourceValidators {
  data: Buffer;
}

/** A stored image's row without its bytes. */
export interface ImageMeta extends ImageFacts {
  id: number;
  contentType: string;
  bytes: number;
  sha256: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ImageWithData extends ImageMeta {
  data: Buffer;
}

export interface SavedImage extends ImageMeta {
  /** false when an article's earlier image was replaced. */
  created: boolean;
}

export const META_COLUMNS = `id::float8 as id, article_id, owner_id::float8 as owner_id, source_url, source_format,
  source_bytes, source_width, source_height, content_type, bytes, width, height, quality, encodes, sha256,
  created_at, updated_at`;

function values(img: NewImage) {
  return {
    article_id: img.articleId,
    owner_id: img.ownerId,
    source_url: img.sourceUrl,
    source_format: img.sourceFormat,
    source_bytes: img.sourceBytes,
    source_width: img.sourceWidth,
    source_height: img.sourceHeight,
    bytes: img.data.length,
    width: img.width,
    height: img.height,
    quality: img.quality,
    encodes: img.encodes,
    source_etag: img.sourceEtag ?? null,
    source_last_modified: img.sourceLastModified ?? null,
    source_sha256: img.sourceSha256 ?? null,
    // Computed here, from the bytes actually stored, so the ETag can never disagree with the body.
    sha256: createHash("sha256").update(img.data).digest("hex"),
    data: img.data,
  };
}

/** Who is storing: an admin may replace any article's image, anyone else only their own. */
export interface SaveOptions {
  replaceAnyOwner?: boolean;
}

/**
 * Store an image. With an article id, an earlier image of that article is replaced in the same
 * statement (one transaction: readers see the old row or the new one, never a mix), keeping its id
 * and its owner. Undefined when the article belongs to another owner and the caller may not replace
 * it: decided in the statement itself, so two first stores racing cannot both win.
 */
export async function saveImage(
  sql: Sql,
  img: NewImage,
  { replaceAnyOwner = false }: SaveOptions = {},
): Promise<SavedImage | undefined> {
  const row = values(img);
  const columns = Object.keys(row) as (keyof typeof row)[];
  if (img.articleId === null) {
    const [saved] = await sql<SavedImage[]>`
      insert into images ${sql(row, columns)}
      returning ${sql.unsafe(META_COLUMNS)}, true as created`;
    if (!saved) throw new Error("insert returned no row");
    return saved;
  }
  // A conflicting row the `where` refuses is left untouched and returns nothing.
  const [saved] = await sql<SavedImage[]>`
    insert into images ${sql(row, columns)}
    on conflict (article_id) do update set
      source_url = excluded.source_url,
      source_format = excluded.source_format, source_bytes = excluded.source_bytes,
      source_width = excluded.source_width, source_height = excluded.source_height,
      bytes = excluded.bytes, width = excluded.width, height = excluded.height,
      quality = excluded.quality, encodes = excluded.encodes, sha256 = excluded.sha256,
      source_etag = excluded.source_etag, source_last_modified = excluded.source_last_modified,
      source_sha256 = excluded.source_sha256,
      data = excluded.data, updated_at = now()
    where images.owner_id = excluded.owner_id or ${replaceAnyOwner}::boolean
    returning ${sql.unsafe(META_COLUMNS)}, (xmax = 0) as created`;
  return saved;
}

/** The owner of an article's image (null: its account is gone), or undefined when none is stored. */
export async function findArticleOwner(
  sql: Sql,
  articleId: string,
): Promise<{ ownerId: number | null } | undefined> {
  const [row] = await sql<{ ownerId: number | null }[]>`
    select owner_id::float8 as owner_id from images where article_id = ${articleId}`;
  return row;
}

/**
 * Of these articles, those whose image another account stores (or an account since deleted): the
 * ones `ownerId` may not replace. One query for a whole batch.
 */
export async function findArticlesTakenFrom(
  sql: Sql,
  ownerId: number,
  articleIds: string[],
): Promise<Set<string>> {
  if (articleIds.length === 0) return new Set();
  const rows = await sql<{ articleId: string }[]>`
    select article_id from images
    where article_id = any(${articleIds}::text[]) and owner_id is distinct from ${ownerId}`;
  return new Set(rows.map((r) => r.articleId));
}

/** An article's stored source: its URL and what tells whether a new fetch of it changed. */
export interface StoredSource extends SourceValidators {
  sourceUrl: string | null;
}

export async function findStoredSource(sql: Sql, articleId: string): Promise<StoredSource | undefined> {
  const [row] = await sql<StoredSource[]>`
    select source_url, source_etag, source_last_modified, source_sha256 from images where article_id = ${articleId}`;
  return row;
}

export async function findImageMetaByArticle(sql: Sql, articleId: string): Promise<ImageMeta | undefined> {
  const [row] = await sql<ImageMeta[]>`
    select ${sql.unsafe(META_COLUMNS)} from images where article_id = ${articleId}`;
  return row;
}

export async function findImageByArticle(sql: Sql, articleId: string): Promise<ImageWithData | undefined> {
  const [row] = await sql<ImageWithData[]>`
    select ${sql.unsafe(META_COLUMNS)}, data from images where article_id = ${articleId}`;
  return row;
}

export async function findImageMetaById(sql: Sql, id: number): Promise<ImageMeta | undefined> {
  const [row] = await sql<ImageMeta[]>`select ${sql.unsafe(META_COLUMNS)} from images where id = ${id}`;
  return row;
}

export async function findImageById(sql: Sql, id: number): Promise<ImageWithData | undefined> {
  const [row] = await sql<ImageWithData[]>`
    select ${sql.unsafe(META_COLUMNS)}, data from images where id = ${id}`;
  return row;
}

/**
 * Delete one image, but only if it is still what the caller's access was checked against (same
 * owner, same bytes): an image replaced between that check and this statement is left alone.
 * True when a row went.
 */
export async function deleteImage(
  sql: Sql,
  checked: Pick<ImageMeta, "id" | "ownerId" | "sha256">,
): Promise<boolean> {
  const rows = await sql`
    delete from images
    where id = ${checked.id} and owner_id is not distinct from ${checked.ownerId} and sha256 = ${checked.sha256}
    returning id`;
  return rows.length > 0;
}
