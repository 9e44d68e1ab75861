/**
 * Turns scale-study.json into the decide-scale rule: for a target quality Q*, "the largest size at
 * which the highest fitting quality is still >= Q*", scored against the per-image best size (oracle);
 * and the size model's exponent beta (bytes ~ pixels^beta at a fixed quality, from the preview).
 *
 *   pnpm --filter @belfoot/research exec tsx src/analyse-scale.ts [bench-results/scale-study.json]
 */
import { readFileSync } from "node:fs";

interface Rung {
  scale: number;
  width: number;
  height: number;
  q: number | null;
  bytes?: number;
  ssimOrig?: number;
  ssimOut?: number;
  sizes: Record<string, number>;
}
interface Result {
  file: string;
  width: number;
  height: number;
  preview: { pixels: number; sizes: Record<string, number> };
  rungs: Rung[];
}
const { results } = JSON.parse(readFileSync(process.argv[2] ?? "bench-results/scale-study.json", "utf8")) as {
  results: Result[];
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fitted = (r: Result) => r.rungs.filter((g) => g.q !== null && g.ssimOrig !== undefined);

console.log("## Per image: the size with the best SSIM at the original resolution\n");
console.log("| image | source | best size | q there | SSIM best | SSIM full size (q) |");
console.log("| --- | --- | --- | ---: | ---: | --- |");
for (const r of results) {
  const f = fitted(r);
  if (!f.length) continue;
  const best = f.reduce((a, b) => ((b.ssimOrig as number) > (a.ssimOrig as number) ? b : a));
  const full = r.rungs[0];
  console.log(
    `| ${r.file} | ${r.width}x${r.height} | ${best.width}x${best.height} | ${best.q} | ${(best.ssimOrig as number).toFixed(4)} | ${full?.ssimOrig?.toFixed(4) ?? "does not fit"} (${full?.q ?? "-"}) |`,
  );
}

console.log("\n## Rule: largest size whose fitting quality is >= Q*\n");
console.log("| Q* | mean SSIM | median SSIM | mean loss vs best | worst loss | images at best |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
for (let qs = 50; qs <= 94; qs += 2) {
  const scores: number[] = [];
  const losses: number[] = [];
  let atBest = 0;
  for (const r of results) {
    const f = fitted(r);
    if (!f.length) continue;
    const best = Math.max(...f.map((g) => g.ssimOrig as number));
    const pick = f.find((g) => (g.q as number) >= qs) ?? (f[f.length - 1] as Rung);
    scores.push(pick.ssimOrig as number);
    losses.push(best - (pick.ssimOrig as number));
    if (best - (pick.ssimOrig as number) < 1e-9) atBest++;
  }
  console.log(
    `| ${qs} | ${mean(scores).toFixed(5)} | ${median(scores).toFixed(5)} | ${mean(losses).toFixed(5)} | ${Math.max(...losses).toFixed(5)} | ${atBest}/${scores.length} |`,
  );
}

console.log("\n## Size model: bytes(q, pixels) = preview bytes(q) * (pixels / preview pixels)^beta\n");
for (const q of ["50", "70", "85"]) {
  const betas: number[] = [];
  for (const r of results) {
    const pv = r.preview.sizes[q];
    if (!pv) continue;
    for (const g of r.rungs) {
      const s = g.sizes[q];
      const n = g.width * g.height;
      if (s && n > r.preview.pixels * 2) betas.push(Math.log(s / pv) / Math.log(n / r.preview.pixels));
    }
  }
  const sorted = [...betas].sort((a, b) => a - b);
  console.log(
    `q${q}: beta median ${median(betas).toFixed(3)}, p10 ${sorted[Math.floor(sorted.length * 0.1)]?.toFixed(3)}, p90 ${sorted[Math.floor(sorted.length * 0.9)]?.toFixed(3)} (n=${betas.length})`,
  );
}

console.log("\n## Slope d ln(bytes)/dq near the answer vs the preview's\n");
const pairs: [number, number][] = [];
for (const r of results) {
  const p = r.preview.sizes;
  for (const g of fitted(r)) {
    const q = g.q as number;
    const lo = g.sizes[String(q)];
    const hi = g.sizes[String(q + 1)];
    const qa = Math.min(95, Math.max(45, Math.round(q / 5) * 5));
    const pa = p[String(qa - 5)];
    const pb = p[String(qa + 5)] ?? p[String(qa)];
    if (lo && hi && pa && pb) pairs.push([Math.log(hi / lo), Math.log(pb / pa) / (qa + 5 > 95 ? 5 : 10)]);
  }
}
console.log(
  `target slope median ${median(pairs.map((x) => x[0])).toFixed(4)}, preview slope median ${median(pairs.map((x) => x[1])).toFixed(4)}, n=${pairs.length}`,
);
