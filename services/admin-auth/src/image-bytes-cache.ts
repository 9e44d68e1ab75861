import type { ImageMeta, ImageWithData } from "@belfoot/db";
import { LRUCache } from "lru-cache";

type Loader = () => Promise<ImageWithData | undefined>;

const keyOf = (image: Pick<ImageMeta, "id" | "ownerId" | "sha256">) =>
  `${image.id}:${image.ownerId}:${image.sha256}`;

/**
 * Recently read images, bounded in bytes. A read always fetches the row's metadata first (the access
 * check and the ETag need it); the bytes, ~180 KB of bytea sent as hex text, cost most of a read and
 * are served from here when the stored sha256 still matches. The key holds the id, owner and sha256
 * the access check saw, so a hit is always the row that was checked: a replaced image is never
 * answered with its old bytes, and each process may keep its own cache.
 */
export class ImageBytesCache {
  readonly #lru: LRUCache<string, ImageWithData, Loader> | undefined;

  /** maxBytes 0 turns the cache off: every read loads the bytes. */
  constructor(maxBytes: number) {
    this.#lru =
      maxBytes > 0
        ? new LRUCache<string, ImageWithData, Loader>({
            maxSize: maxBytes,
            sizeCalculation: (image) => Math.max(1, image.data.length),
            // Concurrent misses on one key share one load (a new article's first burst of readers).
            fetchMethod: (_key, _stale, { context }) => context(),
          })
        : undefined;
  }

  /** The image described by meta: from the cache when its bytes are there, else from load(). */
  async get(meta: ImageMeta, load: Loader): Promise<ImageWithData | undefined> {
    if (!this.#lru) return load();
    const image = await this.#lru.fetch(keyOf(meta), { context: load });
    // Replaced between the metadata read and the load: the caller answers with what is stored now
    // (its access checked again); keep it under its own key, not under one it no longer matches.
    if (image && keyOf(image) !== keyOf(meta)) {
      this.#lru.delete(keyOf(meta));
      this.#lru.set(keyOf(image), image);
    }
    return image;
  }

  /** Drop the bytes of a deleted image now rather than when they age out. */
  forget(meta: Pick<ImageMeta, "id" | "ownerId" | "sha256">): void {
    this.#lru?.delete(keyOf(meta));
  }

  /** Bytes held now (0 when off). */
  get bytes(): number {
    return this.#lru?.calculatedSize ?? 0;
  }
}
