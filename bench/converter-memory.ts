// pnpm bench:converter-memory — peak RSS of the img-converter *process* (the Fastify service: fetch,
// queue, engine, PostgreSQL writes) while it converts 4 sources of 24 MP at once, as issue 6 sets the
// target (≤ 600 MB). bench:memory measures the engine alone in a bare process; this one runs the
// `pnpm start` stack (launcher, both services as their own processes, MALLOC_ARENA_MAX=2 as shipped)
// and posts through admin-auth, so the downloaded sources, the job queue and the database client
// count too. Each source kind gets a fresh stack, so each peak is its own. Baseline in the same run:
// the same 4-at-once load with a 1.8 MP corpus photo. The 7070x7070 row: a small file that decodes
// to 50 MP, bounded by the converter's pixel budget, not by its bytes.
// Not a CI gate: it prints figures for the README.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { corpusPath, startImageServer } from "@belfoot/testkit";
import sharp from "sharp";
import { launchStack } from "./support/launch-stack";
import { peakRssMb, rssMb, servicePid } from "./support/process-stats";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "4" },
    rounds: { type: "string", default: "2" },
    // Only the sources whose name contains this (the baseline always runs: the ratios need it).
    only: { type: "string" },
  },
});
const jobs = Number(values.jobs);
const rounds = Number(values.rounds);
const ADMIN = { username: "admin", password: "bench-admin-password" };
/** Room for the 24 MP PNG (~40 MB): the default MAX_SOURCE_BYTES (25 MiB) would refuse it. */
const MAX_SOURCE_BYTES = 100 * 1024 * 1024;

// 24 MP sources made at run time from the corpus's 17.9 MP photo (never committed).
const big = sharp(await readFile(corpusPath("mate-elephants-5640.jpg"))).resize(6000, 4000, { fit: "fill" });
const SOURCES: { name: string; type: string; body: Buffer }[] = [
  {
    name: "corpus photo, 1680x1050 JPEG (baseline)",
    type: "image/jpeg",
    body: await readFile(corpusPath("mate-dune.jpg")),
  },
  {
    name: "6000x4000 baseline JPEG",
    type: "image/jpeg",
    body: await big.clone().jpeg({ quality: 92 }).toBuffer(),
  },
  {
    name: "6000x4000 progressive JPEG",
    type: "image/jpeg",
    body: await big.clone().jpeg({ quality: 92, progressive: true }).toBuffer(),
  },
  {
    name: "6000x4000 PNG",
    type: "image/png",
    body: await big.clone().png({ compressionLevel: 6 }).toBuffer(),
  },
  {
    // Few bytes, many pixels: 147 KB that decode to 50 MP. Memory follows pixels (COMPRESS_PIXEL_BUDGET).
    name: "7070x7070 flat JPEG (small file, 50 MP)",
    type: "image/jpeg",
    body: await sharp({
      create: { width: 7070, height: 7070, channels: 3, background: { r: 120, g: 160, b: 200 } },
    })
      .jpeg({ quality: 80, mozjpeg: true })
      .toBuffer(),
  },
].filter((source, i) => i === 0 || !values.only || source.name.includes(values.only));

const images = await startImageServer();
const rows: string[] = [];
let baselinePeak = 0;
try {
  for (const [i, source] of SOURCES.entries()) {
    images.setRoute(`/source-${i}`, { body: source.body, contentType: source.type });
    const stack = await launchStack({
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      ALLOW_PRIVATE_SOURCES: images.origin,
      MAX_SOURCE_BYTES: String(MAX_SOURCE_BYTES),
      COMPRESS_QUEUE_MAX: String(jobs * 2),
    });
    try {
      const converter = servicePid(stack.pid, "img-converter");
      const idle = rssMb(converter);
      const statuses = new Map<number, number>();
      const roundMs: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const t = performance.now();
        await Promise.all(
          Array.from({ length: jobs }, async (_, j) => {
            const res = await fetch(`${stack.url}/convert`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({
                user: ADMIN,
                data: { url: `${images.url}/source-${i}`, article_id: `MEM-${r}-${j}` },
              }),
            });
            await res.arrayBuffer();
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          }),
        );
        roundMs.push(performance.now() - t);
      }
      const peak = peakRssMb(converter);
      if (i === 0) baselinePeak = peak;
      const answers = [...statuses].map(([s, n]) => `${n}× ${s}`).join(", ");
      rows.push(
        `| ${source.name} | ${(source.body.length / 1e6).toFixed(1)} MB | ${idle.toFixed(0)} MB | ${peak.toFixed(0)} MB | ${(peak / baselinePeak).toFixed(2)} | ${Math.min(...roundMs).toFixed(0)} ms | ${answers} |`,
      );
      if (statuses.size !== 1 || !statuses.has(201)) process.exitCode = 1;
      process.stderr.write(`${rows.at(-1)}\n`);
    } finally {
      await stack.stop();
    }
  }
} finally {
  await images.close();
}

console.log(
  `\nimg-converter process, ${jobs} conversions at once through admin-auth, ${rounds} rounds, a fresh stack per source (database: ${process.env.DATABASE_URL ? "DATABASE_URL" : "embedded"})\n`,
);
console.log(
  "| source | source bytes | idle RSS | peak RSS | peak / baseline peak | fastest round | answers |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
for (const row of rows) console.log(row);
