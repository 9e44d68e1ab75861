import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readCappedBody } from "../../src/fetch/read-capped-body";

const bytes = (n: number, seed = 1) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
const split = (buf: Buffer, size: number) =>
  Array.from({ length: Math.ceil(buf.length / size) }, (_, i) => buf.subarray(i * size, (i + 1) * size));

describe("readCappedBody", () => {
  const source = bytes(100_000);

  it("reads a body of its declared length, in any chunking", async () => {
    for (const size of [1_000, 16_384, 100_000]) {
      const got = await readCappedBody(Readable.from(split(source, size)), 1 << 20, String(source.length));
      expect(got.equals(source)).toBe(true);
    }
  });

  it("reads what arrives when the declared length is wrong, or missing", async () => {
    const short = await readCappedBody(
      Readable.from(split(source, 7_000)),
      1 << 20,
      String(source.length + 500),
    );
    expect(short.equals(source)).toBe(true);
    const long = await readCappedBody(Readable.from(split(source, 7_000)), 1 << 20, "60000");
    expect(long.equals(source)).toBe(true);
    const none = await readCappedBody(Readable.from(split(source, 7_000)), 1 << 20, undefined);
    expect(none.equals(source)).toBe(true);
  });

  it("refuses a body over the cap, declared or not, lying or not", async () => {
    const cap = 50_000;
    for (const declared of [String(source.length), undefined, "1000"]) {
      await expect(readCappedBody(Readable.from(split(source, 4_096)), cap, declared)).rejects.toMatchObject({
        code: "source_too_large",
      });
    }
  });
});
