import sharp from "sharp";
import { type CompressOptions, resolveOptions } from "../../src/options";
import { decodeStep, probeSource } from "../../src/pipeline/prepare";
import type { CompressState, FitState } from "../../src/pipeline/state";

/** Pseudo-random RGB noise: the hardest picture to compress, so every size has to work for its bytes. */
export function noise(width: number, height: number, seed = 12345, channels: 1 | 3 = 3): Buffer {
  const data = Buffer.alloc(width * height * channels);
  let x = seed;
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    data[i] = (x >> 16) & 0xff;
  }
  return data;
}

/** A smooth gradient: fits the budget at any quality, so bytes are spare. */
export function gradient(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set([x % 256, y % 256, (x + y) % 256], (y * width + x) * 3);
  return data;
}

export function png(raw: Buffer, width: number, height: number, channels: 1 | 3 = 3): Promise<Buffer> {
  const img = sharp(raw, { raw: { width, height, channels } });
  return (channels === 1 ? img.toColourspace("b-w") : img).png({ compressionLevel: 1 }).toBuffer();
}

export function probed(input: Buffer, options?: CompressOptions): Promise<CompressState> {
  return probeSource(input, resolveOptions(options));
}

export async function decoded(input: Buffer, options?: CompressOptions): Promise<FitState> {
  return decodeStep(await probed(input, options));
}
