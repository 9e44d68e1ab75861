/**
 * Study behind encode.ts `measureOnly` and sample.ts SAMPLE_FACTOR: can the row sample's encodes
 * skip mozjpeg's scan optimisation? For every corpus image the engine samples, at its answer's size
 * and quality q (and q - 3, q + 1): time and bytes of the sample encoded measure-only over encoded
 * as for output, how much that size ratio drifts between neighbouring qualities (what the search
 * relies on once a full encode has calibrated the factor), and the factor full bytes over
 * (measure-only sample bytes x pixel ratio) at q (what the first full encode relies on).
 *
 *   nice -n 10 pnpm --filter @belfoot/research exec tsx src/sample-encode-study.ts [--dir D]
 */

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  compress,
  decodeSource,
  type EncodeSettings,
  encodeJpeg,
  type Prepared,
  probe,
  sampleRows,
} from "@belfoot/engine";

const { values } = parseArgs({ options: { dir: { type: "string" } } });
const dir = values.dir ?? path.resolve(import.meta.dirname, "../../../shared/corpus/public");
const LIMIT = 50_000_000;

async function timedBytes(pixels: Prepared, settings: EncodeSettings): Promise<[number, number]> {
  const t = performance.now();
  const bytes = (await encodeJpeg(pixels, settings)).length;
  return [bytes, performance.now() - t];
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1] as number;
const fmt = (v: number[], d = 3) =>
  `median ${median(v).toFixed(d)}  min ${Math.min(...v).toFixed(d)}  max ${Math.max(...v).toFixed(d)}`;

const times: number[] = [];
const ratios: number[] = [];
const drift1: number[] = [];
const drift3: number[] = [];
const factors: number[] = [];
for (const file of readdirSync(dir).filter((f) => /\.(jpe?g|png|webp)$/i.test(f))) {
  const input = readFileSync(path.join(dir, file));
  const result = await compress(input).catch(() => undefined);
  if (!result || result.passthrough || result.quality === null || result.chroma !== "4:2:0") continue;
  if (result.quality >= 95) continue; // at the ceiling: answered by spare bytes, not by the search
  const source = await probe(input, LIMIT);
  const size = { width: result.width, height: result.height };
  const pixels = await decodeSource(input, source, size, LIMIT);
  const sample = sampleRows(pixels);
  if (!sample) continue;
  const q = result.quality;
  const ratioAt = async (quality: number) => {
    const [real, realMs] = await timedBytes(sample, { quality, chroma: "4:2:0" });
    const [measured, measuredMs] = await timedBytes(sample, { quality, chroma: "4:2:0", measureOnly: true });
    times.push(measuredMs / realMs);
    return { ratio: measured / real, measured };
  };
  const [below, at, above] = [await ratioAt(q - 3), await ratioAt(q), await ratioAt(q + 1)];
  ratios.push(at.ratio);
  drift1.push(Math.abs(Math.log(above.ratio / at.ratio)));
  drift3.push(Math.abs(Math.log(at.ratio / below.ratio)));
  const pixelRatio = (pixels.width * pixels.height) / (sample.width * sample.height);
  const factor = result.jpeg.length / (at.measured * pixelRatio);
  factors.push(factor);
  console.log(
    `${file.padEnd(32)} q${q}  measure-only/real ${below.ratio.toFixed(3)} ${at.ratio.toFixed(3)} ${above.ratio.toFixed(3)}  factor ${factor.toFixed(3)}`,
  );
}
console.log(`\n${ratios.length} images`);
console.log(`time, measure-only / real sample encode:   ${fmt(times)}`);
console.log(`bytes, measure-only / real at q:           ${fmt(ratios)}`);
console.log(`|ln drift| of that ratio, q -> q+1:        ${fmt(drift1, 4)}`);
console.log(`|ln drift| of that ratio, q-3 -> q:        ${fmt(drift3, 4)}`);
console.log(`factor full / (measure-only x pixels):     ${fmt(factors)}`);
