/**
 * Study behind chroma.ts: at the budget, does 4:4:4 beat 4:2:0? For each corpus image at a given
 * output size (long side, default 1280), the highest quality that fits with each subsampling, scored
 * by SSIM on Y, Cb and Cr at the output resolution, combined as 0.8 Y + 0.1 Cb + 0.1 Cr; beside the
 * content measure chromaDetail (what 2x2 chroma averaging removes).
 *
 * With --perceptual (libjxl-devtools, @belfoot/engine/perceptual), also butteraugli's 3-norm and SSIMULACRA of
 * each, which see colour where luma SSIM does not. Encodes use the engine's settings (src/encode.ts).
 *
 *   nice -n 10 pnpm --filter @belfoot/research exec tsx src/chroma-study.ts [--dir D] [--long 1280] [--max-bytes N] [--perceptual]
 */

import path from "node:path";
import { parseArgs } from "node:util";
import { encodeJpeg, lumaOf, ssim } from "@belfoot/engine";
import { perceptual, requirePerceptual } from "@belfoot/engine/perceptual";
import sharp from "sharp";
import { chromaDetail, chromaPlanes } from "./chroma-detail";
import { CORPUS, displayedAt, highestFitting, imageFiles, STUDY_OPTIONS } from "./study-kit";

sharp.cache(false);
const { values } = parseArgs({
  options: {
    ...STUDY_OPTIONS,
    perceptual: { type: "boolean" },
  },
});
const dir = values.dir ?? CORPUS;
const LONG = Number(values.long ?? 1280);
const budget = Number(values["max-bytes"] ?? 184_320);

requirePerceptual(values.perceptual);
const seenHead = values.perceptual ? " butteraugli3/SSIMULACRA 420 vs 444 |" : "";
console.log(
  `| image | size | chromaDetail | q 4:2:0 | q 4:4:4 | Y 420/444 | Cb+Cr 420/444 | combined 420 | combined 444 |${seenHead}`,
);
console.log(
  `| --- | --- | ---: | ---: | ---: | --- | --- | ---: | ---: |${values.perceptual ? " --- |" : ""}`,
);
for (const file of imageFiles(dir)) {
  const raw = await displayedAt(path.join(dir, file), LONG);
  if (!raw) continue;
  const { data, info } = raw;
  const detail = chromaDetail(data, info.width, info.height, info.channels);
  const y0 = lumaOf(data, info.width, info.height, info.channels);
  const c0 = chromaPlanes(data, info.width, info.height, info.channels);
  const cells: string[] = [];
  const combined: number[] = [];
  const seen: string[] = [];
  const qs: number[] = [];
  const ys: string[] = [];
  const cs: string[] = [];
  for (const chroma of ["4:2:0", "4:4:4"] as const) {
    const enc = (q: number) =>
      encodeJpeg({ data, width: info.width, height: info.height, channels: 3 }, { quality: q, chroma });
    const fit = await highestFitting(enc, budget, 10, 98);
    if (!fit) {
      qs.push(Number.NaN);
      combined.push(Number.NaN);
      continue;
    }
    const d = await sharp(fit.jpeg).raw().toBuffer({ resolveWithObject: true });
    const y = ssim(y0, lumaOf(d.data, d.info.width, d.info.height, d.info.channels));
    const c = chromaPlanes(d.data, d.info.width, d.info.height, d.info.channels);
    const cb = ssim(c0.cb, c.cb);
    const cr = ssim(c0.cr, c.cr);
    qs.push(fit.quality);
    ys.push(y.toFixed(4));
    cs.push(((cb + cr) / 2).toFixed(4));
    combined.push(0.8 * y + 0.1 * cb + 0.1 * cr);
    if (values.perceptual) {
      const p = await perceptual({ data, ...info }, { data: d.data, ...d.info });
      seen.push(`${p.butteraugli3.toFixed(3)}/${p.ssimulacra.toFixed(4)}`);
    }
  }
  cells.push(
    file,
    `${info.width}x${info.height}`,
    detail.toFixed(2),
    String(qs[0]),
    String(qs[1]),
    ys.join("/"),
    cs.join("/"),
  );
  cells.push((combined[0] ?? 0).toFixed(4), (combined[1] ?? 0).toFixed(4));
  if (values.perceptual) cells.push(seen.join(" vs "));
  console.log(`| ${cells.join(" | ")} |`);
}
