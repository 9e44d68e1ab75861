/**
 * `pnpm bench:memory [--jobs 4] [--rounds 2]`: peak RSS of a process compressing `jobs` 24 MP
 * sources at once, with and without MALLOC_ARENA_MAX=2, at job limits 1, 2 (the default here) and 4.
 * Each figure comes from a fresh child process (process.resourceUsage().maxRSS), so runs do not share
 * a heap. The 6000x4000 source is made at run time from the corpus's 17.9 MP elephants photo.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    child: { type: "string" },
    jobs: { type: "string", default: "4" },
    rounds: { type: "string", default: "2" },
    concurrency: { type: "string" },
  },
});
const jobs = Number(values.jobs);
const rounds = Number(values.rounds);

if (values.child) {
  // Child: compress `jobs` copies, at most `concurrency` at a time (as the converter's job limit), `rounds` times.
  const { compress } = await import("../src/index");
  const input = readFileSync(values.child);
  const t = performance.now();
  for (let r = 0; r < rounds; r++) {
    let started = 0;
    const worker = async () => {
      while (started < jobs) {
        started++;
        await compress(Buffer.from(input));
      }
    };
    await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
  }
  const maxRss = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    JSON.stringify({ maxRssMb: Math.round(maxRss), ms: Math.round(performance.now() - t) }),
  );
} else {
  const sharp = (await import("sharp")).default;
  const corpus = path.resolve(
    process.env.CORPUS_DIR ?? path.join(import.meta.dirname, "../../../../shared/corpus/public"),
  );
  const dir = mkdtempSync(path.join(tmpdir(), "engine-memory-"));
  const file = path.join(dir, "source-24mp.jpg");
  const src = await sharp(path.join(corpus, "mate-elephants-5640.jpg"))
    .resize(6000, 4000, { fit: "fill" })
    .jpeg({ quality: 92 })
    .toBuffer();
  writeFileSync(file, src);
  console.log(
    `source: 6000x4000 baseline JPEG, ${(src.length / 1e6).toFixed(1)} MB; ${jobs} at once, ${rounds} rounds\n`,
  );
  console.log("| job limit | MALLOC_ARENA_MAX | peak RSS | time |");
  console.log("| ---: | --- | ---: | ---: |");
  try {
    for (const concurrency of [1, 2, 4]) {
      for (const arena of [undefined, "2"]) {
        const env = { ...process.env };
        delete env.MALLOC_ARENA_MAX;
        if (arena) env.MALLOC_ARENA_MAX = arena;
        const out = execFileSync(
          process.execPath,
          [
            "--import",
            "tsx",
            import.meta.filename,
            "--child",
            file,
            "--jobs",
            String(jobs),
            "--rounds",
            String(rounds),
            "--concurrency",
            String(concurrency),
          ],
          { env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
        );
        const r = JSON.parse(out) as { maxRssMb: number; ms: number };
        console.log(
          `| ${concurrency} | ${arena ?? "unset"} | ${r.maxRssMb} MB | ${(r.ms / 1000).toFixed(1)} s |`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
