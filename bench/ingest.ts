// pnpm bench:ingest — bulk import through the async API: corpus sources (each item its own URL and
// article, so nothing is deduplicated) posted as batches through real nginx to the `pnpm start`
// stack, then followed with GET /jobs/:id until every job has finished. The rate is set against the
// engine-bound rate measured in the same run: the converter's compression places ÷ the engine's mean
// seconds per image, compressing the same sources in this process one at a time, and again with as
// many side by side as the converter has places (what they cost when they share the cores). Both are
// measured before and after the stack runs, since other load on the machine may change meanwhile;
// the converter's metrics tell how busy its compression slots were, and /proc where the 2 cores went
// meanwhile (each process tree, the converter's threads, the rest of the machine, idle). Not a CI gate:
// it prints figures for the README.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { compress } from "@belfoot/engine";
import { freePort } from "@belfoot/pg-embedded";
import { startImageServer } from "@belfoot/testkit";
import { startNginx } from "../tests/support/nginx";
import { type CorpusSource, corpusSources } from "./support/corpus-sources";
import { cpuShares, cpuSnapshot, threadClassDelta, threadClassSeconds } from "./support/cpu-accounting";
import { printCpuTable } from "./support/cpu-table";
import { type LaunchedStack, launchStack } from "./support/launch-stack";
import { childPids, peakRssMb, servicePid, treePeakRssMb } from "./support/process-stats";

const { values } = parseArgs({
  options: {
    sources: { type: "string", default: "300" },
    batch: { type: "string", default: "100" },
    // The converter's COMPRESS_CONCURRENCY: its compression places.
    places: { type: "string", default: "2" },
    "timeout-s": { type: "string", default: "1800" },
  },
});
const itemCount = Number(values.sources);
const batchSize = Number(values.batch);
const places = Number(values.places);
const ADMIN = { username: "admin", password: "bench-admin-password" };
const POLL_INTERVAL_MS = 500;

interface JobJson {
  job_id: string;
  state: "queued" | "active" | "completed" | "failed";
  article_id: string;
  result?: { sha256: string };
  error?: { code: string };
  created_at: string;
  updated_at: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;

/**
 * Engine seconds per source in this process, `atOnce` compressions running side by side (each timed
 * on its own); sources the engine refuses are left out.
 */
async function engineSeconds(sources: CorpusSource[], atOnce: number) {
  // cpu: the process's CPU seconds over the call, meaningful one at a time (nothing else runs here then).
  const usable: { source: CorpusSource; seconds: number; cpu: number }[] = [];
  // Warm up first (libvips' caches, code paths), as the long-running converter is.
  await compress(sources[0]?.body ?? Buffer.alloc(0)).catch(() => {});
  let next = 0;
  const runner = async () => {
    for (let source = sources[next++]; source; source = sources[next++]) {
      const t = performance.now();
      const cpu = process.cpuUsage();
      try {
        // The engine's defaults are the converter's (MAX_OUTPUT_BYTES, LIMIT_INPUT_PIXELS, MAX_OUTPUT_PIXELS).
        await compress(source.body);
        const used = process.cpuUsage(cpu);
        usable.push({
          source,
          seconds: (performance.now() - t) / 1000,
          cpu: (used.user + used.system) / 1e6,
        });
      } catch (err) {
        if (atOnce === 1) process.stderr.write(`engine refuses ${source.file}: ${(err as Error).message}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: atOnce }, runner));
  return usable;
}

// Other work on the machine moves every figure here: its load average is printed with them.
const loadAtStart = loadavg()[0] ?? Number.NaN;
const corpus = await corpusSources();
const benchThreadsBefore = threadClassSeconds(process.pid);
const measured = await engineSeconds(corpus, 1);
// Where the engine's CPU goes alone, by thread: libvips' workers, and JS (SSIM, the search) on the main thread.
const engineThreadsAlone = threadClassDelta(benchThreadsBefore, threadClassSeconds(process.pid));
measured.sort((a, b) => corpus.indexOf(a.source) - corpus.indexOf(b.source));
// Cycle through the usable sources: item n is source n mod count, at a URL and article of its own.
const items = Array.from({ length: itemCount }, (_, n) => {
  const { source } = measured[n % measured.length] as (typeof measured)[number];
  return { path: `/item-${n}/${source.file}`, articleId: `INGEST-${n}`, source };
});
/** Mean engine seconds over the items (each source weighted by how often the items use it). */
const itemMean = (timed: { source: CorpusSource; seconds: number }[]) =>
  items.reduce((s, i) => s + (timed.find((m) => m.source === i.source)?.seconds ?? 0), 0) / items.length;
/** The same mean of the engine's CPU seconds per image, one at a time in this process. */
const itemCpuMean = (timed: { source: CorpusSource; cpu: number }[]) =>
  itemMean(timed.map((m) => ({ source: m.source, seconds: m.cpu })));
const usableSources = measured.map((m) => m.source);
// One at a time (the issue's definition), and as the converter runs them: its places side by side,
// competing for the same cores.
const atOnceCpuBefore = process.cpuUsage();
const atOnceBefore = await engineSeconds(usableSources, places);
const atOnceCpu = process.cpuUsage(atOnceCpuBefore);
const engineBefore = {
  alone: itemMean(measured),
  aloneCpu: itemCpuMean(measured),
  atOnce: itemMean(atOnceBefore),
  // The places side by side cost more CPU per image than one alone (shared caches and memory bus):
  // their CPU over the same sources, relative to the same images alone (the first twice: the warm-up).
  atOnceCpuFactor:
    (atOnceCpu.user + atOnceCpu.system) /
    1e6 /
    measured.reduce((sum, m) => sum + m.cpu, measured[0]?.cpu ?? 0),
};

const images = await startImageServer();
for (const item of items) {
  images.setRoute(item.path, { body: item.source.body, contentType: item.source.contentType });
}
const metricsPort = await freePort();
/** The converter's own figures: its compression seconds so far, and the slots compressing now. */
async function converterFigures() {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  return {
    compressSeconds: value(/^belfoot_compress_seconds_sum(?:\{[^}]*\})? (\S+)$/m),
    compressed: value(/^belfoot_compress_seconds_count(?:\{[^}]*\})? (\S+)$/m),
    activeSlots: value(/^belfoot_compress_queue_depth\{[^}]*state="active"[^}]*\} (\S+)$/m),
  };
}
let stack: LaunchedStack | undefined;
let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
try {
  stack = await launchStack({
    // The embedded PostgreSQL, as `pnpm start` runs on a bare host.
    DATABASE_URL: "",
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    ALLOW_PRIVATE_SOURCES: images.origin,
    COMPRESS_CONCURRENCY: String(places),
    CONVERTER_METRICS_PORT: String(metricsPort),
  });
  nginx = await startNginx({ upstream: new URL(stack.url).host });
  const base = nginx.url;
  const nginxPid = Number(readFileSync(path.join(nginx.dir, "nginx.pid"), "utf8"));
  const converterPid = servicePid(stack.pid, "img-converter");
  // Each its process tree; the launcher's and this process's trees leave out the groups below them.
  const cpuGroups = {
    nginx: [nginxPid],
    "admin-auth": [servicePid(stack.pid, "admin-auth")],
    "img-converter": [converterPid],
    PostgreSQL: [servicePid(stack.pid, "postgres")],
    launcher: [stack.pid],
    "bench process (client, polling, image server)": [process.pid],
  };

  // A token: one argon2 check at /auth instead of one per request (Basic's cost).
  const auth = await fetch(`${base}/auth`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user_name: ADMIN.username, password: ADMIN.password }),
  });
  const authorization = `Bearer ${((await auth.json()) as { token: string }).token}`;

  const run = randomBytes(4).toString("hex");
  const cpuBefore = cpuSnapshot(cpuGroups);
  const converterThreadsBefore = threadClassSeconds(converterPid);
  const pending: string[] = [];
  const refused: string[] = [];
  for (let start = 0; start < items.length; start += batchSize) {
    const batch = items.slice(start, start + batchSize);
    const res = await fetch(`${base}/convert/batch`, {
      method: "POST",
      headers: {
        authorization,
        "content-type": "application/json",
        "idempotency-key": `ingest-${run}-${start}`,
      },
      body: JSON.stringify({
        items: batch.map((i) => ({ url: `${images.url}${i.path}`, article_id: i.articleId })),
      }),
    });
    const answer = (await res.json()) as { items?: ({ job_id: string } | { code: string })[] };
    if (res.status !== 202) throw new Error(`batch at ${start}: ${res.status} ${JSON.stringify(answer)}`);
    for (const item of answer.items ?? []) {
      if ("job_id" in item) pending.push(item.job_id);
      else refused.push(item.code);
    }
  }
  const accepted = pending.length;

  // Jobs are taken in order: each sweep follows the oldest unfinished ones and stops at the first
  // still queued, so polling costs the stack a few requests per sweep, not one per job.
  const finished: JobJson[] = [];
  const deadline = Date.now() + Number(values["timeout-s"]) * 1000;
  // Slots compressing, sampled once per sweep while the queue still has work for every slot.
  const slotSamples: number[] = [];
  while (pending.length > 0 && Date.now() < deadline) {
    if (pending.length > places) slotSamples.push((await converterFigures()).activeSlots);
    for (let i = 0; i < pending.length; ) {
      const res = await fetch(`${base}/jobs/${pending[i]}`, { headers: { authorization } });
      const job = (await res.json()) as JobJson;
      if (res.status !== 200)
        throw new Error(`GET /jobs/${pending[i]}: ${res.status} ${JSON.stringify(job)}`);
      if (job.state === "completed" || job.state === "failed") {
        finished.push(job);
        pending.splice(i, 1);
      } else if (job.state === "queued") break;
      else i++;
    }
    await sleep(POLL_INTERVAL_MS);
  }

  const cpu = cpuShares(cpuBefore, cpuSnapshot(cpuGroups));
  const converterThreads = threadClassDelta(converterThreadsBefore, threadClassSeconds(converterPid));

  // Completed means stored: each one's image must answer with the sha256 its job reported.
  const completed = finished.filter((j) => j.state === "completed");
  let stored = 0;
  for (const job of completed) {
    const res = await fetch(`${base}/articles/${job.article_id}/meta`, { headers: { authorization } });
    const meta = (await res.json()) as { sha256?: string };
    if (res.status === 200 && meta.sha256 === job.result?.sha256) stored++;
  }
  const failures = new Map<string, number>();
  for (const job of finished.filter((j) => j.state === "failed")) {
    const code = job.error?.code ?? "unknown";
    failures.set(code, (failures.get(code) ?? 0) + 1);
  }

  // Server timestamps: accepted (created_at) → completed (updated_at), independent of the polling.
  const acceptedAt = Math.min(...finished.map((j) => Date.parse(j.created_at)));
  const lastCompletedAt = Math.max(...completed.map((j) => Date.parse(j.updated_at)));
  const rate = completed.length / ((lastCompletedAt - acceptedAt) / 1000);
  const latencies = completed
    .map((j) => (Date.parse(j.updated_at) - Date.parse(j.created_at)) / 1000)
    .sort((a, b) => a - b);
  const lost = accepted - stored;
  const inStack = await converterFigures();
  const wallSeconds = (lastCompletedAt - acceptedAt) / 1000;
  const inStackMean = inStack.compressSeconds / inStack.compressed;
  const meanSlots = slotSamples.reduce((a, b) => a + b, 0) / slotSamples.length;
  const fullSamples = slotSamples.filter((n) => n >= places).length / slotSamples.length;
  // Measured again afterwards: the machine's other load may have changed while the stack ran.
  const engineAfter = {
    alone: itemMean(await engineSeconds(usableSources, 1)),
    atOnce: itemMean(await engineSeconds(usableSources, places)),
  };
  const meanEngineSeconds = (engineBefore.alone + engineAfter.alone) / 2;
  const engineRate = places / meanEngineSeconds;
  const atOnceSeconds = (engineBefore.atOnce + engineAfter.atOnce) / 2;
  const atOnceRate = places / atOnceSeconds;

  const NAMES = ["admin-auth", "img-converter", "postgres"];
  const rss = [
    { name: "nginx", ...treePeakRssMb(nginxPid) },
    ...childPids(stack.pid).flatMap((c) => {
      const name = NAMES.find((n) => c.cmd.includes(`/${n}`));
      if (!name) return [];
      return [
        name === "postgres"
          ? { name, ...treePeakRssMb(c.pid) }
          : { name, mb: peakRssMb(c.pid), processes: 1 },
      ];
    }),
  ];

  console.log(
    `\ningest through nginx: ${items.length} items (${measured.length} corpus sources cycled, each item its own URL and article) in batches of ${batchSize}, ${places} compression places; load average ${loadAtStart.toFixed(1)} at the start, ${(loadavg()[0] ?? Number.NaN).toFixed(1)} at the end\n`,
  );
  console.log("| figure | value |");
  console.log("| --- | ---: |");
  console.log(`| images/s (accepted → last completed) | ${rate.toFixed(2)} |`);
  const beforeAfter = (b: number, a: number) => `${b.toFixed(3)} before, ${a.toFixed(3)} after`;
  console.log(
    `| engine-bound images/s, one at a time (${places} places ÷ ${meanEngineSeconds.toFixed(3)} s mean engine time: ${beforeAfter(engineBefore.alone, engineAfter.alone)}) | ${engineRate.toFixed(2)} |`,
  );
  console.log(`| ratio to it (target ≥ 0.85) | ${(rate / engineRate).toFixed(3)} |`);
  console.log(
    `| engine-bound images/s, ${places} at once (${places} places ÷ ${atOnceSeconds.toFixed(3)} s mean engine time: ${beforeAfter(engineBefore.atOnce, engineAfter.atOnce)}) | ${atOnceRate.toFixed(2)} |`,
  );
  console.log(`| ratio to it | ${(rate / atOnceRate).toFixed(3)} |`);
  console.log(
    `| compression slots busy (converter's compress seconds ÷ ${places} × ${wallSeconds.toFixed(1)} s) | ${((100 * inStack.compressSeconds) / (places * wallSeconds)).toFixed(0)} % |`,
  );
  console.log(
    `| slots compressing, sampled with work queued: mean / all ${places} busy | ${meanSlots.toFixed(2)} / ${(100 * fullSamples).toFixed(0)} % of ${slotSamples.length} samples |`,
  );
  console.log(
    `| engine seconds per image in the stack ÷ one at a time / ÷ ${places} at once | ${inStackMean.toFixed(3)} s: ${(inStackMean / meanEngineSeconds).toFixed(2)} / ${(inStackMean / atOnceSeconds).toFixed(2)} |`,
  );
  console.log(`| p50 accepted → completed | ${quantile(latencies, 0.5).toFixed(1)} s |`);
  console.log(`| p99 accepted → completed | ${quantile(latencies, 0.99).toFixed(1)} s |`);
  console.log(`| accepted / refused at the batch | ${accepted} / ${refused.length} |`);
  console.log(
    `| completed and stored / failed / unfinished | ${stored} / ${finished.length - completed.length} / ${pending.length} |`,
  );
  console.log(`| lost (accepted, not completed and stored) | ${lost} |`);
  for (const { name, mb, processes } of rss) {
    const scope = processes > 1 ? ` (largest of ${processes} processes)` : "";
    console.log(`| peak RSS ${name}${scope} | ${mb.toFixed(0)} MB |`);
  }
  printCpuTable({
    cpu,
    converterThreads,
    engineThreadsAlone,
    images: completed.length,
    aloneCpu: engineBefore.aloneCpu,
    atOnceCpuFactor: engineBefore.atOnceCpuFactor,
    aloneWall: meanEngineSeconds,
    ratio: rate / engineRate,
  });
  if (failures.size)
    console.log(`\nfailed by code: ${[...failures].map(([k, v]) => `${k}: ${v}`).join(", ")}`);
  if (lost > 0) process.exitCode = 1;
} finally {
  await nginx?.stop();
  await stack?.stop();
  await images.close();
}
