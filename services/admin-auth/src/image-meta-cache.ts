import type { ImageMeta } from "@belfoot/db";
import { LRUCache } from "lru-cache";
import { afterReceivedChanges } from "./received-changes";

type Loader = () => Promise<ImageMeta | undefined>;

export interface ImageMetaCacheOptions {
  /** Rows remembered at most; 0 turns the cache off. */
  maxEntries: number;
  /** Whether changes are being heard now: nothing is served or remembered while they are not. */
  isLive: () => boolean;
  /** Called on every read answered from the cache (a metric). */
  countHit?: () => void;
}

/**
 * Stored images' metadata (id, owner, sha256, …) by article id and by id, so an authorised read of a
 * known image needs no database round trip (the bytes cache is keyed by sha256). Entries go when the
 * change feed announces the image's change (forget) or changes may have been missed (clear), and the
 * gateway that answered a replace or delete forgets at once, before it answers. A load that overlapped
 * any forgetting is served but not kept. Only found rows are kept: a new article is read from the
 * database on its first read.
 */
export class ImageMetaCache {
  readonly #lru: LRUCache<string, ImageMeta> | undefined;
  readonly #isLive: () => boolean;
  readonly #countHit: () => void;
  #epoch = 0;

  constructor(opts: ImageMetaCacheOptions) {
    this.#isLive = opts.isLive;
    this.#countHit = opts.countHit ?? (() => {});
    this.#lru = opts.maxEntries > 0 ? new LRUCache({ max: opts.maxEntries }) : undefined;
  }

  byArticle(articleId: string, load: Loader): Promise<ImageMeta | undefined> {
    return this.#get(`a:${articleId}`, load);
  }

  byId(id: number, load: Loader): Promise<ImageMeta | undefined> {
    return this.#get(`i:${id}`, load);
  }

  async #get(key: string, load: Loader): Promise<ImageMeta | undefined> {
    if (this.#lru && this.#isLive()) {
      // Let notifications already received be handled first: a change announced before this request
      // arrived must not be answered from the entry it voids.
      await afterReceivedChanges();
      const hit = this.#isLive() ? this.#lru.get(key) : undefined;
      if (hit) {
        this.#countHit();
        return hit;
      }
    }
    const epoch = this.#epoch;
    const meta = await load();
    if (meta && this.#lru && this.#isLive() && epoch === this.#epoch) {
      this.#lru.set(`i:${meta.id}`, meta);
      if (meta.articleId !== null) this.#lru.set(`a:${meta.articleId}`, meta);
    }
    return meta;
  }

  /** An image changed or went: its entries by id and by article (old and new) go. */
  forget(image: { id: number; articleId?: string | null; oldArticleId?: string | null }): void {
    this.#epoch++;
    this.#lru?.delete(`i:${image.id}`);
    for (const articleId of [image.articleId, image.oldArticleId]) {
      if (articleId) this.#lru?.delete(`a:${articleId}`);
    }
  }

  clear(): void {
    this.#epoch++;
    this.#lru?.clear();
  }
}
