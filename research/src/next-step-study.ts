/**
 * Study behind search-sampled.ts NEXT_MARGIN: once a full encode at q has calibrated the row sample,
 * how well does the sample predict the full encode at q + 1, and does the error grow with the size
 * of the step? For every corpus image the engine samples, at the engine's answer size, for q from
 * answer - 4 to answer + 1: full bytes at q + 1 predicted as full(q) x sample(q + 1) / sample(q),
 * against the real full encode, beside the step ln(sample(q + 1) / sample(q)).
 *
 *   nice -n 10 pnpm --filter @belfoot/research exec tsx src/next-step-study.ts [--dir D]
 */

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { compress, decodeSource, encodeJpeg, probe, sampleRows } from "@belfoot/engine";

const { values } = parseArgs({ options: { dir: { type: "string" } } });
const dir = values.dir ?? path.resolve(import.meta.dirname, "../../../shared/corpus/public");
const LIMIT = 50_000_000;

const rows: { step: number; error: number }[] = [];
for (const file of readdirSync(dir).filter((f) => /\.(jpe?g|png|webp)$/i.test(f))) {
  const input = readFileSync(path.join(dir, file));
  const result = await compress(input).catch(() => undefined);
  if (!result || result.passthrough || result.quality === null || result.quality >= 95) continue;
  const source = await probe(input, LIMIT);
  const pixels = await decodeSource(input, source, { width: result.width, height: result.height }, LIMIT);
  const sample = sampleRows(pixels);
  if (!sample) continue;
  const chroma = result.chroma;
  const full = new Map<number, number>();
  const part = new Map<number, number>();
  for (let q = result.quality - 4; q <= result.quality + 2; q++) {
    full.set(q, (await encodeJpeg(pixels, { quality: q, chroma })).length);
    part.set(q, (await encodeJpeg(sample, { quality: q, chroma, measureOnly: true })).length);
  }
  const cells: string[] = [];
  for (let q = result.quality - 4; q <= result.quality + 1; q++) {
    const step = Math.log((part.get(q + 1) as number) / (part.get(q) as number));
    const predicted = ((full.get(q) as number) * (part.get(q + 1) as number)) / (part.get(q) as number);
    const error = Math.log((full.get(q + 1) as number) / predicted);
    rows.push({ step, error });
    cells.push(`${q}->${q + 1} step ${step.toFixed(3)} err ${(error * 100).toFixed(1)}%`);
  }
  console.log(`${file.padEnd(30)} ${cells.join("  ")}`);
}
const bucket = (lo: number, hi: number) => {
  const errs = rows.filter((r) => r.step >= lo && r.step < hi).map((r) => Math.abs(r.error));
  errs.sort((a, b) => a - b);
  const p = (f: number) =>
    ((errs[Math.min(errs.length - 1, Math.floor(errs.length * f))] ?? 0) * 100).toFixed(2);
  return `step ${lo}-${hi}: n ${errs.length}, |error| median ${p(0.5)} %, p90 ${p(0.9)} %, max ${p(1)} %`;
};
console.log(`\n${bucket(-1, 0.03)}\n${bucket(0.03, 0.06)}\n${bucket(0.06, 0.12)}\n${bucket(0.12, 1)}`);
