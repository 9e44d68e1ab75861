import type { ImageMeta, ImageWithData } from "@belfoot/db";
import { describe, expect, it } from "vitest";
import { ImageBytesCache } from "../src/image-bytes-cache";

const image = (id: number, sha256: string, bytes: number): ImageWithData => ({
  id,
  articleId: `A-${id}`,
  ownerId: 1,
  sourceUrl: null,
  sourceFormat: "jpeg",
  sourceBytes: bytes,
  sourceWidth: 10,
  sourceHeight: 10,
  contentType: "image/jpeg",
  bytes,
  width: 10,
  height: 10,
  quality: 80,
  encodes: 1,
  sha256,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  data: Buffer.alloc(bytes, id),
});
const meta = ({ data: _data, ...m }: ImageWithData): ImageMeta => m;

/** A loader that counts its calls and answers with whatever `stored` holds now, like the database. */
function store(initial: ImageWithData) {
  const s = {
    stored: initial,
    loads: 0,
    load: async () => {
      s.loads++;
      await new Promise((r) => setTimeout(r, 5));
      return s.stored;
    },
  };
  return s;
}

describe("ImageBytesCache", () => {
  it("loads an image once, then answers from memory while its sha256 is unchanged", async () => {
    const cache = new ImageBytesCache(1024 * 1024);
    const db = store(image(1, "a", 1000));
    expect((await cache.get(meta(db.stored), db.load))?.data).toEqual(db.stored.data);
    expect((await cache.get(meta(db.stored), db.load))?.sha256).toBe("a");
    expect(db.loads).toBe(1);
    expect(cache.bytes).toBe(1000);
  });

  it("never answers a replaced image with its old bytes: the sha256 is part of the key", async () => {
    const cache = new ImageBytesCache(1024 * 1024);
    const db = store(image(1, "old", 1000));
    await cache.get(meta(db.stored), db.load);
    db.stored = image(1, "new", 500);
    const got = await cache.get(meta(db.stored), db.load);
    expect(got?.sha256).toBe("new");
    expect(got?.data.length).toBe(500);
    expect(db.loads).toBe(2);
  });

  it("hits only for the row the access check saw: same id and bytes but another owner loads anew", async () => {
    const cache = new ImageBytesCache(1024 * 1024);
    const db = store(image(1, "same", 1000));
    await cache.get(meta(db.stored), db.load);
    db.stored = { ...image(1, "same", 1000), ownerId: 2 };
    const got = await cache.get(meta(db.stored), db.load);
    expect(got?.ownerId).toBe(2);
    expect(db.loads).toBe(2);
  });

  it("keeps an image replaced between the metadata read and the load under its new sha256", async () => {
    const cache = new ImageBytesCache(1024 * 1024);
    const db = store(image(1, "old", 1000));
    const staleMeta = meta(db.stored);
    db.stored = image(1, "new", 700);
    expect((await cache.get(staleMeta, db.load))?.sha256).toBe("new");
    expect((await cache.get(meta(db.stored), db.load))?.sha256).toBe("new");
    expect(db.loads).toBe(1);
    expect(cache.bytes).toBe(700);
  });

  it("forgets a deleted image's bytes at once, and only that image's", async () => {
    const cache = new ImageBytesCache(1024 * 1024);
    const [gone, kept] = [store(image(1, "g", 400)), store(image(2, "k", 300))];
    await cache.get(meta(gone.stored), gone.load);
    await cache.get(meta(kept.stored), kept.load);
    cache.forget(meta(gone.stored));
    expect(cache.bytes).toBe(300);
    await cache.get(meta(kept.stored), kept.load);
    expect(kept.loads).toBe(1);
    new ImageBytesCache(0).forget(meta(gone.stored)); // a cache that is off has nothing to forget
  });

  it("shares one load between concurrent misses on the same image", async () => {
    const cache = new ImageBytesCache(1024 * 1024);
    const db = store(image(3, "c", 100));
    const all = await Promise.all(Array.from({ length: 8 }, () => cache.get(meta(db.stored), db.load)));
    expect(all.every((i) => i?.sha256 === "c")).toBe(true);
    expect(db.loads).toBe(1);
  });

  it("stays within its byte bound, evicting the least recently read", async () => {
    const cache = new ImageBytesCache(2500);
    const [one, two, three] = [
      store(image(1, "s1", 1000)),
      store(image(2, "s2", 1000)),
      store(image(3, "s3", 1000)),
    ];
    const read = (db: ReturnType<typeof store>) => cache.get(meta(db.stored), db.load);
    for (const db of [one, two, three]) await read(db);
    expect(cache.bytes).toBeLessThanOrEqual(2500);
    await read(three);
    await read(two);
    await read(one); // the first read was evicted by the third
    expect([one, two, three].map((d) => d.loads)).toEqual([2, 1, 1]);
  });

  it("caches nothing for an absent image, and nothing at all when its bound is 0", async () => {
    const cache = new ImageBytesCache(1024);
    const m = meta(image(9, "gone", 10));
    let loads = 0;
    const none = async () => {
      loads++;
      return undefined;
    };
    expect(await cache.get(m, none)).toBeUndefined();
    expect(await cache.get(m, none)).toBeUndefined();
    expect(loads).toBe(2);

    const off = new ImageBytesCache(0);
    const db = store(image(1, "a", 10));
    await off.get(meta(db.stored), db.load);
    await off.get(meta(db.stored), db.load);
    expect(db.loads).toBe(2);
    expect(off.bytes).toBe(0);
  });
});
