/**
 * Study behind encode.ts's quant tables: at the budget, which of libjpeg's base quant tables (sharp's
 * `quantisationTable` 0-8; mozjpeg's default is 3, N. Robidoux's) loses least? For each corpus image at
 * a given output size (long side, default 2560, never enlarged), the highest quality that fits with
 * each table, with the engine's other settings (src/encode.ts), scored at the output size by luma SSIM,
 * by Y/Cb/Cr SSIM combined 0.8/0.1/0.1, and (libjxl-devtools installed, @belfoot/engine/perceptual) by
 * butteraugli's 3-norm and SSIMULACRA.
 *
 *   nice -n 10 pnpm --filter @belfoot/research exec tsx src/quant-table-study.ts [--tables 0,3,7] [--long 2560] [--only s]
 */

import path from "node:path";
import { parseArgs } from "node:util";
import { lumaOf, ssim, TRELLIS_MIN_QUALITY } from "@belfoot/engine";
import { perceptual, perceptualAvailable } from "@belfoot/engine/perceptual";
import sharp from "sharp";
import { chromaPlanes } from "./chroma-detail";
import { CORPUS, displayedAt, highestFitting, imageFiles, STUDY_OPTIONS } from "./study-kit";

sharp.cache(false);
const { values } = parseArgs({
  options: {
    ...STUDY_OPTIONS,
    tables: { type: "string" },
    only: { type: "string" },
  },
});
const dir = values.dir ?? CORPUS;
const LONG = Number(values.long ?? 2560);
const budget = Number(values["max-bytes"] ?? 184_320);
const tables = (values.tables ?? "0,2,3,4,7,8").split(",").map(Number);

type Score = { y: number; ycc: number; ba: number; sc: number };
/** Per image, each table's scores; the means use only images every table fitted. */
const results: Map<number, Score>[] = [];
console.log(
  `| image | size | ${tables.map((t) => `table ${t}: q, Y SSIM, YCC SSIM, butteraugli3, SSIMULACRA`).join(" | ")} |`,
);
console.log(`| --- | --- | ${tables.map(() => "---").join(" | ")} |`);
for (const file of imageFiles(dir, values.only)) {
  const raw = await displayedAt(path.join(dir, file), LONG);
  if (!raw) continue;
  const { data, info } = raw;
  const y0 = lumaOf(data, info.width, info.height, info.channels);
  const c0 = chromaPlanes(data, info.width, info.height, info.channels);
  const cells: string[] = [];
  const scores = new Map<number, Score>();
  results.push(scores);
  for (const table of tables) {
    const enc = (quality: number) =>
      sharp(data, { raw: info })
        .jpeg({
          quality,
          mozjpeg: true,
          trellisQuantisation: quality >= TRELLIS_MIN_QUALITY,
          chromaSubsampling: "4:2:0",
          quantisationTable: table,
        })
        .toBuffer();
    const fit = await highestFitting(enc, budget);
    if (!fit) {
      cells.push("-");
      continue;
    }
    const d = await sharp(fit.jpeg).toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
    const y = ssim(y0, lumaOf(d.data, d.info.width, d.info.height, d.info.channels));
    const c = chromaPlanes(d.data, d.info.width, d.info.height, d.info.channels);
    const ycc = 0.8 * y + 0.1 * ssim(c0.cb, c.cb) + 0.1 * ssim(c0.cr, c.cr);
    const p = perceptualAvailable
      ? await perceptual({ data, ...info }, { data: d.data, ...d.info })
      : { butteraugli3: Number.NaN, ssimulacra: Number.NaN };
    scores.set(table, { y, ycc, ba: p.butteraugli3, sc: p.ssimulacra });
    cells.push(
      `q${fit.quality} ${y.toFixed(4)} ${ycc.toFixed(4)} ${p.butteraugli3.toFixed(3)} ${p.ssimulacra.toFixed(5)}`,
    );
  }
  console.log(`| ${file} | ${info.width}x${info.height} | ${cells.join(" | ")} |`);
}
const common = results.filter((r) => r.size === tables.length);
console.log(
  `\nMeans over the ${common.length} images every table fitted (SSIM: higher is better; butteraugli, SSIMULACRA: lower):`,
);
for (const table of tables) {
  const mean = (k: keyof Score) => common.reduce((a, r) => a + (r.get(table) as Score)[k], 0) / common.length;
  console.log(
    `table ${table}: Y SSIM ${mean("y").toFixed(4)}, YCC SSIM ${mean("ycc").toFixed(4)}, butteraugli3 ${mean("ba").toFixed(3)}, SSIMULACRA ${mean("sc").toFixed(5)}`,
  );
}
