import type { Sql } from "./connect";
import { type ImageMeta, META_COLUMNS } from "./images";

/** Where a page starts: just after this image, in newest-first order. */
export interface PagePosition {
  /** created_at to the microsecond, ISO 8601 in UTC (a JS Date would lose the microseconds). */
  createdAt: string;
  id: number;
}

export interface ImagePageQuery {
  /** Only this owner's images; undefined: everyone's. */
  ownerId?: number;
  after?: PagePosition;
  limit: number;
}

export interface ImagePage {
  images: ImageMeta[];
  /** Where the next page starts; undefined on the last page. */
  next?: PagePosition;
}

/**
 * One page of article images, newest first. Keyset on (created_at, id): an image stored while a
 * client pages is newer than every position already handed out, so it never shifts later pages.
 */
// The position goes in as text: postgres.js would send a timestamptz parameter through a JS Date,
// cutting it to milliseconds and skipping rows that share that millisecond.
export async function listArticleImages(
  sql: Sql,
  { ownerId, after, limit }: ImagePageQuery,
): Promise<ImagePage> {
  const rows = await sql<(ImageMeta & { position: string })[]>`
    select ${sql.unsafe(META_COLUMNS)},
      to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as position
    from images
    where article_id is not null
      ${ownerId === undefined ? sql`` : sql`and owner_id = ${ownerId}`}
      ${after === undefined ? sql`` : sql`and (created_at, id) < (${after.createdAt}::text::timestamptz, ${after.id})`}
    order by created_at desc, id desc
    limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const images = page.map(({ position: _, ...image }) => image);
  return rows.length > limit && last
    ? { images, next: { createdAt: last.position, id: last.id } }
    : { images };
}
