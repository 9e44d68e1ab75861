/**
 * Study behind QUALITY_FLOOR: where does mozjpeg's DC trellis draw horizontal lines (mozjpeg #393)?
 * Trellis quantisation of AC coefficients never changes a block's mean, so comparing block-mean
 * (DC) errors with trellis on and off isolates what DC trellis adds. A "streak" is a run of at least
 * 8 smooth blocks (64 px) along a block row whose mean DC error steps by >= 1 luma level against the
 * row above, in one direction: the visible line of #393. Counts are per image, summed over the corpus.
 *
 *   nice -n 10 pnpm --filter @belfoot/research exec tsx src/dc-trellis-study.ts [--dir D] [--long 1280]
 */

import path from "node:path";
import { parseArgs } from "node:util";
import { lumaOf, type Plane } from "@belfoot/engine";
import sharp from "sharp";
import { CORPUS, displayedAt, imageFiles } from "./study-kit";

sharp.cache(false);
const { values } = parseArgs({ options: { dir: { type: "string" }, long: { type: "string" } } });
const dir = values.dir ?? CORPUS;
const LONG = Number(values.long ?? 1280);
const QUALITIES = [30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80];
const RUN = 8;
const STEP = 1;

/** Per 8x8 block: mean and standard deviation of luma. */
function blockStats(p: Plane) {
  const bw = Math.floor(p.width / 8);
  const bh = Math.floor(p.height / 8);
  const mean = new Float64Array(bw * bh);
  const sd = new Float64Array(bw * bh);
  for (let by = 0; by < bh; by++)
    for (let bx = 0; bx < bw; bx++) {
      let s = 0;
      let s2 = 0;
      for (let y = by * 8; y < by * 8 + 8; y++)
        for (let x = bx * 8; x < bx * 8 + 8; x++) {
          const v = p.data[y * p.width + x] as number;
          s += v;
          s2 += v * v;
        }
      mean[by * bw + bx] = s / 64;
      sd[by * bw + bx] = Math.sqrt(Math.max(0, s2 / 64 - (s / 64) ** 2));
    }
  return { bw, bh, mean, sd };
}

/** Streaks: runs of RUN smooth blocks whose DC-error step against the row above averages >= STEP. */
function streaks(orig: ReturnType<typeof blockStats>, out: ReturnType<typeof blockStats>) {
  const { bw, bh } = orig;
  let count = 0;
  for (let by = 1; by < bh; by++) {
    for (let x0 = 0; x0 + RUN <= bw; x0 += RUN) {
      let sum = 0;
      let smooth = true;
      for (let bx = x0; bx < x0 + RUN && smooth; bx++) {
        const i = by * bw + bx;
        const j = i - bw;
        if ((orig.sd[i] as number) > 3 || (orig.sd[j] as number) > 3) smooth = false;
        const ei = (out.mean[i] as number) - (orig.mean[i] as number);
        const ej = (out.mean[j] as number) - (orig.mean[j] as number);
        sum += ei - ej;
      }
      if (smooth && Math.abs(sum / RUN) >= STEP) count++;
    }
  }
  return count;
}

const files = imageFiles(dir);
const totals = new Map<string, number>();
const worst = new Map<string, string>();
for (const file of files) {
  const raw = await displayedAt(path.join(dir, file), LONG);
  if (!raw) continue;
  const { data, info } = raw;
  const orig = blockStats(lumaOf(data, info.width, info.height, info.channels));
  const row: string[] = [];
  for (const q of QUALITIES) {
    for (const trellis of [true, false]) {
      const j = await sharp(data, { raw: info })
        .jpeg({ quality: q, mozjpeg: true, trellisQuantisation: trellis })
        .toBuffer();
      const d = await sharp(j).raw().toBuffer({ resolveWithObject: true });
      const n = streaks(orig, blockStats(lumaOf(d.data, d.info.width, d.info.height, d.info.channels)));
      const key = `${q}:${trellis ? "on" : "off"}`;
      totals.set(key, (totals.get(key) ?? 0) + n);
      if (trellis) row.push(`${q}:${n}`);
      if (trellis && n > 0) worst.set(String(q), `${worst.get(String(q)) ?? ""} ${file}(${n})`);
    }
  }
  process.stderr.write(`${file} ${row.join(" ")}\n`);
}
console.log(`streaks (runs of ${RUN} smooth blocks stepping >= ${STEP} level), ${LONG}px long side`);
console.log("| quality | trellis on | trellis off |\n| ---: | ---: | ---: |");
for (const q of QUALITIES) console.log(`| ${q} | ${totals.get(`${q}:on`)} | ${totals.get(`${q}:off`)} |`);
for (const [q, w] of worst) console.log(`q${q}:${w}`);
