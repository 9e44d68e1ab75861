/**
 * Study behind decide-scale: for each corpus image and a ladder of output sizes, the highest mozjpeg
 * quality that fits the budget and the SSIM that results, at the original resolution (output
 * upscaled back with lanczos3) and at the output resolution. Also records a small preview's encoded
 * sizes, to calibrate the size model. With --perceptual (and libjxl-devtools installed, see
 * @belfoot/engine/perceptual), also butteraugli and SSIMULACRA at the display size (the source, long side capped
 * at 2560), which see blocking and colour where luma SSIM does not. Encodes use the engine's own
 * settings (src/encode.ts: trellis from q75). Writes JSON (argument 1, default
 * bench-results/scale-study.json).
 *
 *   nice -n 10 pnpm --filter @belfoot/research exec tsx src/scale-study.ts [out.json] [--only substring] [--perceptual]
 */

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { encodeJpeg, lumaOf, type Plane, ssim } from "@belfoot/engine";
import { displaySize, perceptual, requirePerceptual } from "@belfoot/engine/perceptual";
import sharp, { type OutputInfo } from "sharp";
import { CORPUS } from "./study-kit";

sharp.cache(false);
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    only: { type: "string", multiple: true },
    dir: { type: "string" },
    "max-bytes": { type: "string" },
    perceptual: { type: "boolean" },
  },
});
requirePerceptual(values.perceptual);
const dir = values.dir ?? CORPUS;
const out = positionals[0] ?? "bench-results/scale-study.json";
const budget = Number(values["max-bytes"] ?? 184_320);
const LADDER = [1, 0.85, 0.72, 0.61, 0.52, 0.44, 0.37, 0.31, 0.26, 0.22];
const PREVIEW_PIXELS = 262_144;

type Raw = { data: Buffer; width: number; height: number; channels: number };
const rawOf = (data: Buffer, info: OutputInfo): Raw => ({
  data,
  width: info.width,
  height: info.height,
  channels: info.channels,
});
const fromRaw = (r: Raw) =>
  sharp(r.data, { raw: { width: r.width, height: r.height, channels: r.channels as 3 } });
async function resize(r: Raw, width: number, height: number): Promise<Raw> {
  const { data, info } = await fromRaw(r)
    .resize(width, height, { fit: "fill", kernel: "lanczos3" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return rawOf(data, info);
}
const encode = (r: Raw, q: number) =>
  encodeJpeg({ ...r, channels: r.channels as 1 | 3 }, { quality: q, chroma: "4:2:0" });
async function decodeJpeg(j: Buffer, width?: number, height?: number): Promise<Plane> {
  let p = sharp(j);
  if (width && height) p = p.resize(width, height, { fit: "fill", kernel: "lanczos3" });
  const { data, info } = await p.raw().toBuffer({ resolveWithObject: true });
  return lumaOf(data, info.width, info.height, info.channels);
}

const files = readdirSync(dir)
  .filter((f) => /\.(jpe?g|png|webp|gif|tiff?)$/i.test(f))
  .filter((f) => !values.only || values.only.some((o) => f.includes(o)))
  .sort();
const results: unknown[] = [];
for (const file of files) {
  const input = readFileSync(path.join(dir, file));
  let src: Raw;
  try {
    const { data, info } = await sharp(input, { pages: 1 })
      .rotate()
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    src = rawOf(data, info);
  } catch {
    continue;
  }
  if (src.width * src.height < 64 * 64) continue;
  const original = lumaOf(src.data, src.width, src.height, src.channels);
  const display = displaySize(src.width, src.height);
  const shown = values.perceptual ? await resize(src, display.width, display.height) : undefined;
  const pvScale = Math.min(1, Math.sqrt(PREVIEW_PIXELS / (src.width * src.height)));
  const pv = await resize(src, Math.round(src.width * pvScale), Math.round(src.height * pvScale));
  const preview: Record<number, number> = {};
  for (const q of [40, 50, 60, 70, 75, 80, 85, 90, 95]) preview[q] = (await encode(pv, q)).length;
  const rungs = [];
  for (const s of LADDER) {
    const width = Math.max(1, Math.round(src.width * s));
    const height = Math.max(1, Math.round(src.height * s));
    if (Math.max(width, height) < 200 && s < 1) break;
    const r = s === 1 ? src : await resize(src, width, height);
    const sizes: Record<number, number> = {};
    const sizeAt = async (q: number) => {
      sizes[q] ??= (await encode(r, q)).length;
      return sizes[q];
    };
    // Highest q in [10, 98] that fits, by bisection (size is nearly monotone in q).
    let lo = 9;
    let hi = 99;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((await sizeAt(mid)) <= budget) lo = mid;
      else hi = mid;
    }
    for (const q of [50, 70, 85]) await sizeAt(q);
    let rung: Record<string, unknown> = { scale: s, width, height, q: null, sizes };
    if (lo >= 10) {
      const j = await encode(r, lo);
      const atOrig = await decodeJpeg(j, src.width, src.height);
      const atOut = await decodeJpeg(j);
      rung = {
        ...rung,
        q: lo,
        bytes: j.length,
        ssimOrig: ssim(original, atOrig),
        ssimOut: ssim(lumaOf(r.data, r.width, r.height, r.channels), atOut),
      };
      if (shown) {
        const { data, info } = await sharp(j)
          .resize(display.width, display.height, { fit: "fill", kernel: "lanczos3" })
          .raw()
          .toBuffer({ resolveWithObject: true });
        rung = { ...rung, ...(await perceptual(shown, rawOf(data, info))) };
      }
    }
    rungs.push(rung);
    process.stderr.write(
      `${file} ${s} ${width}x${height} q=${rung.q} ${String(rung.ssimOrig ?? "")} ${String(rung.butteraugli3 ?? "")}\n`,
    );
    if (lo >= 92) break; // smaller sizes only lose detail from here
  }
  results.push({
    file,
    width: src.width,
    height: src.height,
    preview: { pixels: pv.width * pv.height, sizes: preview },
    rungs,
  });
}
mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
writeFileSync(out, JSON.stringify({ budget, results }, null, 1));
