import fc from "fast-check";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { compress, EngineError } from "../src/index";

/** Small generated images: noise, gradients or flat colour, grey or colour, with or without alpha. */
const image = fc.record({
  width: fc.integer({ min: 1, max: 400 }),
  height: fc.integer({ min: 1, max: 400 }),
  channels: fc.constantFrom(1, 3, 4),
  kind: fc.constantFrom("noise", "gradient", "flat"),
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
  format: fc.constantFrom("png", "jpeg", "webp"),
});
const budget = fc.integer({ min: 1024, max: 60_000 });

async function render(spec: {
  width: number;
  height: number;
  channels: number;
  kind: string;
  seed: number;
  format: string;
}) {
  const { width, height, channels, kind, seed } = spec;
  const data = Buffer.alloc(width * height * channels);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    const px = Math.floor(i / channels);
    const x = px % width;
    const y = Math.floor(px / width);
    if (kind === "noise") {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      data[i] = s >> 23;
    } else if (kind === "gradient")
      data[i] = (x * 255) / Math.max(1, width - 1) + ((y + (i % channels) * 50) % 256);
    else data[i] = (seed >> (i % channels)) & 255;
  }
  const img = sharp(data, { raw: { width, height, channels: channels as 1 | 3 | 4 } });
  return spec.format === "png"
    ? img.png().toBuffer()
    : spec.format === "jpeg"
      ? img.jpeg({ quality: 95 }).toBuffer()
      : img.webp().toBuffer();
}

describe("property: the output always fits, or the error says it cannot", () => {
  it("holds for generated images and budgets", async () => {
    await fc.assert(
      fc.asyncProperty(image, budget, async (spec, maxBytes) => {
        const input = await render(spec);
        try {
          const r = await compress(input, { maxBytes });
          expect(r.jpeg.length).toBeLessThanOrEqual(maxBytes);
          const meta = await sharp(r.jpeg).metadata();
          expect(meta.format).toBe("jpeg");
          expect([meta.width, meta.height]).toEqual([r.width, r.height]);
          expect(r.width).toBeLessThanOrEqual(spec.width);
          expect(r.height).toBeLessThanOrEqual(spec.height);
        } catch (err) {
          if (!(err instanceof EngineError)) throw err;
          expect(err.code).toBe("budget_unreachable");
          // Only when even the smallest allowed image is over: the short side reached the minimum.
          expect(err.message).toMatch(/cannot fit/);
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
