/**
 * Study behind search.ts STEP_WINDOW: how far does the size curve drop where trellis switches on
 * (TRELLIS_MIN_QUALITY)? Below it the engine encodes without trellis (DC trellis draws lines there),
 * so the encode at 75 is smaller than the one at 74. Per image, at the display size (long side capped
 * at --long), the engine's own encodes (encode.ts, 4:2:0): size(75) / size(74), and that drop counted
 * in quality steps of the curve below it (the mean step from 70 to 74).
 *
 *   nice -n 10 pnpm --filter @belfoot/research exec tsx src/trellis-step-study.ts [--dir D] [--long 2560]
 */

import path from "node:path";
import { parseArgs } from "node:util";
import { encodeJpeg, type Prepared, TRELLIS_MIN_QUALITY } from "@belfoot/engine";
import sharp from "sharp";
import { CORPUS, displayedAt, imageFiles } from "./study-kit";

sharp.cache(false);
const { values } = parseArgs({ options: { dir: { type: "string" }, long: { type: "string" } } });
const dir = values.dir ?? CORPUS;
const LONG = Number(values.long ?? 2560);
const STEP = TRELLIS_MIN_QUALITY;

const drops: number[] = [];
const steps: number[] = [];
console.log("image | 75/74 | drop in quality steps below it");
for (const file of imageFiles(dir)) {
  const shown = await displayedAt(path.join(dir, file), LONG);
  if (!shown) continue;
  const pixels: Prepared = {
    data: shown.data,
    width: shown.info.width,
    height: shown.info.height,
    channels: 3,
  };
  const size = async (quality: number) => (await encodeJpeg(pixels, { quality, chroma: "4:2:0" })).length;
  const [low, below, at] = await Promise.all([size(STEP - 5), size(STEP - 1), size(STEP)]);
  // Flat curves (a palette image) have no steps to count in.
  if (below <= low) continue;
  const drop = at / below;
  const inSteps = Math.log(below / at) / (Math.log(below / low) / 4);
  drops.push(drop);
  steps.push(inSteps);
  console.log(`${file} | ${drop.toFixed(3)} | ${inSteps.toFixed(1)}`);
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1] as number;
console.log(
  `\n${drops.length} images: size(${STEP})/size(${STEP - 1}) median ${median(drops).toFixed(3)} ` +
    `(${Math.min(...drops).toFixed(3)}-${Math.max(...drops).toFixed(3)}); ` +
    `in quality steps median ${median(steps).toFixed(1)}, at most ${Math.max(...steps).toFixed(1)}`,
);
