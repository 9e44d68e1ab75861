// bench:ingest's second table: where the cores went while the stack ingested, and what that leaves
// the ratio to the engine-bound rate.
import { cpus } from "node:os";
import type { cpuShares, threadClassDelta } from "./cpu-accounting";

interface CpuTableInput {
  cpu: ReturnType<typeof cpuShares>;
  converterThreads: ReturnType<typeof threadClassDelta>;
  /** The engine alone in the bench process, one image at a time, by thread class (all sources). */
  engineThreadsAlone: ReturnType<typeof threadClassDelta>;
  images: number;
  /** Mean engine CPU (before the stack ran) and wall seconds (the rate's: before and after) per item, one at a time. */
  aloneCpu: number;
  aloneWall: number;
  /** The engine's CPU per image with the converter's places side by side ÷ one at a time. */
  atOnceCpuFactor: number;
  ratio: number;
}

const pct = (share: number) => `${(100 * share).toFixed(1)} %`;
const CLASSES = ["libvips workers", "main thread", "other threads", "ended threads"] as const;

export function printCpuTable(t: CpuTableInput): void {
  const cores = cpus().length;
  const capacity = cores * t.cpu.wall;
  console.log(
    `\nwhere the ${cores} cores went from the first batch to the last job seen finished (${t.cpu.wall.toFixed(1)} s wall, ${capacity.toFixed(1)} CPU s)\n`,
  );
  console.log(`| process | CPU s | share of ${cores} cores × wall |`);
  console.log("| --- | ---: | ---: |");
  for (const { name, seconds, share } of t.cpu.shares) {
    console.log(`| ${name} | ${seconds.toFixed(1)} | ${pct(share)} |`);
    if (name !== "img-converter") continue;
    for (const cls of CLASSES) {
      const s = t.converterThreads[cls];
      console.log(`| … img-converter: ${cls} | ${s.toFixed(1)} | ${pct(s / capacity)} |`);
    }
  }

  // Per image: the converter in the stack against the engine alone, thread class by thread class
  // (alone: the per-item CPU split as the whole alone run split it).
  const perImage = (s: number) => (t.images ? s / t.images : Number.NaN);
  const aloneShare = (cls: (typeof CLASSES)[number]) =>
    (t.aloneCpu * t.engineThreadsAlone[cls]) / t.engineThreadsAlone.process;
  const split = (f: (cls: (typeof CLASSES)[number]) => number) =>
    CLASSES.map((cls) => f(cls).toFixed(3)).join(" / ");
  console.log(`\n| CPU s per image (${CLASSES.join(" / ")}) | total | by thread |`);
  console.log("| --- | ---: | --- |");
  console.log(`| engine alone, one at a time | ${t.aloneCpu.toFixed(3)} | ${split(aloneShare)} |`);
  console.log(
    `| engine, the places side by side (${t.atOnceCpuFactor.toFixed(2)}× alone) | ${(t.aloneCpu * t.atOnceCpuFactor).toFixed(3)} | |`,
  );
  const inStack = perImage(t.converterThreads.process);
  console.log(
    `| img-converter in the stack | ${inStack.toFixed(3)} | ${split((cls) => perImage(t.converterThreads[cls]))} |`,
  );
  console.log(
    `| engine alone: wall s per image, cores it keeps busy | ${t.aloneWall.toFixed(3)} | ${(t.aloneCpu / t.aloneWall).toFixed(2)} |`,
  );

  // ratio = images × alone wall ÷ (places × wall); with places = cores that is the converter's share
  // of the cores times (alone wall ÷ the converter's CPU per image): an identity, not a model.
  const converter = t.cpu.shares.find((s) => s.name === "img-converter")?.share ?? Number.NaN;
  const efficiency = t.aloneWall / inStack;
  console.log(
    `\nratio = img-converter's share of the cores × (engine wall s alone ÷ converter CPU s per image) = ${converter.toFixed(3)} × ${efficiency.toFixed(3)} = ${(converter * efficiency).toFixed(3)} (measured ${t.ratio.toFixed(3)}, over the server's timestamps)`,
  );
}
