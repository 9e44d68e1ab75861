/**
 * Study behind spare.ts: how to spend the bytes of an image that fits at the ceiling (95) with room
 * left. For every corpus image the engine answers at the ceiling or above, at the engine's output
 * size: bytes and SSIM (Y, and 0.8 Y + 0.1 Cb + 0.1 Cr as in chroma-study.ts) of the engine's own
 * encode at every quality 95-100 in 4:2:0 and 4:4:4, "-" where it does not fit the budget. With
 * --perceptual (libjxl-devtools, @belfoot/engine/perceptual), also butteraugli's 3-norm and SSIMULACRA, which
 * see the colour that luma SSIM does not.
 *
 *   nice -n 10 pnpm --filter @belfoot/research exec tsx src/spare-study.ts [--dir D] [--max-bytes N] [--perceptual]
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { type Chroma, compress, decodeSource, encodeJpeg, lumaOf, probe, ssim } from "@belfoot/engine";
import { perceptual, requirePerceptual } from "@belfoot/engine/perceptual";
import sharp from "sharp";
import { chromaPlanes } from "./chroma-detail";
import { CORPUS, imageFiles } from "./study-kit";

const { values } = parseArgs({
  options: { dir: { type: "string" }, "max-bytes": { type: "string" }, perceptual: { type: "boolean" } },
});
requirePerceptual(values.perceptual);
const dir = values.dir ?? CORPUS;
const budget = Number(values["max-bytes"] ?? 184_320);
const LIMIT = 50_000_000;
const QUALITIES = [95, 96, 97, 98, 99, 100];

console.log(`| image | size | engine | ${QUALITIES.map((q) => `q${q} 4:2:0 | q${q} 4:4:4`).join(" | ")} |`);
console.log(`| --- | --- | --- | ${QUALITIES.map(() => "---: | ---:").join(" | ")} |`);
for (const file of imageFiles(dir)) {
  const input = readFileSync(path.join(dir, file));
  const result = await compress(input, { maxBytes: budget }).catch(() => undefined);
  if (!result || result.passthrough || (result.quality ?? 0) < 95) continue;
  const source = await probe(input, LIMIT);
  const pixels = await decodeSource(input, source, { width: result.width, height: result.height }, LIMIT);
  const { width, height, channels } = pixels;
  const y0 = lumaOf(pixels.data, width, height, channels);
  const c0 = channels === 3 ? chromaPlanes(pixels.data, width, height, channels) : undefined;
  const cells: string[] = [];
  for (const quality of QUALITIES) {
    for (const chroma of ["4:2:0", "4:4:4"] as Chroma[]) {
      const jpeg = await encodeJpeg(pixels, { quality, chroma });
      if (jpeg.length > budget) {
        cells.push("-");
        continue;
      }
      const d = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
      const y = ssim(y0, lumaOf(d.data, d.info.width, d.info.height, d.info.channels));
      let combined = y;
      if (c0) {
        const c = chromaPlanes(d.data, d.info.width, d.info.height, d.info.channels);
        combined = 0.8 * y + 0.1 * ssim(c0.cb, c.cb) + 0.1 * ssim(c0.cr, c.cr);
      }
      let seen = "";
      if (values.perceptual) {
        const p = await perceptual(pixels, { data: d.data, ...d.info });
        seen = ` ${p.butteraugli3.toFixed(3)}/${p.ssimulacra.toFixed(4)}`;
      }
      cells.push(`${Math.round(jpeg.length / 1024)}K ${y.toFixed(4)}/${combined.toFixed(4)}${seen}`);
    }
  }
  const engine = `q${result.quality} ${result.chroma}`;
  console.log(`| ${file} | ${width}x${height} | ${engine} | ${cells.join(" | ")} |`);
}
