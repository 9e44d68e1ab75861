// pnpm bench:http — image reads through nginx against the same nginx serving the same bytes as a
// static file, in one run: the ratios are the figures (absolute req/s depend on the machine).
// Cases: static file (the anchor), GET /articles/:id with HTTP Basic, with a Bearer token, with
// If-None-Match (304), a signed link; then the first read of freshly stored images. Load from wrk
// (support/wrk.ts); the static case is shown to be nginx-bound: nginx's CPU against wrk's, and the
// static rate with one wrk thread against two. Not a CI gate: it prints figures for the README.
// Each round runs every case once, static first; a case's ratio is the median over the rounds of its
// rate against that round's static rate, so a drift of the shared machine between cases moves both.
//   pnpm bench:http [--rounds 3] [--duration 10] [--connections 16] [--threads 2] [--warmup 2] [--fresh 20]
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { corpusPath, startImageServer } from "@belfoot/testkit";
import { request } from "undici";
import { type RunningNginx, startNginx } from "../tests/support/nginx";
import { checkAnswer, sha256 } from "./support/check-answer";
import { type LaunchedStack, launchStack } from "./support/launch-stack";
import { childPids, cpuSeconds, servicePid } from "./support/process-stats";
import { STATIC_HOST, STATIC_PATH, staticServerBlock } from "./support/static-server";
import { requireWrk, runWrk } from "./support/wrk";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "16" },
    threads: { type: "string", default: "2" },
    warmup: { type: "string", default: "2" },
    fresh: { type: "string", default: "20" },
    source: { type: "string", default: "plasma-kite.jpg" },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.duration);
const connections = Number(values.connections);
const threads = Number(values.threads);
const warmup = Number(values.warmup);
const freshReads = Number(values.fresh);
const ADMIN = { username: "admin", password: "bench-admin-password" };
const ARTICLE = "BENCH-HTTP-1";

interface Case {
  name: string;
  url: string;
  headers: Record<string, string>;
  status: 200 | 304;
  /** The issue's target as a fraction of the static rate. */
  target?: number;
}

/** CPU seconds (user + system) of nginx's master and workers so far. */
function nginxCpuSeconds(nginx: RunningNginx): number {
  const master = Number(readFileSync(path.join(nginx.dir, "nginx.pid"), "utf8").trim());
  return [master, ...childPids(master).map((c) => c.pid)].reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

requireWrk();
const staticDir = await mkdtemp(path.join(tmpdir(), "belfoot-static-"));
const images = await startImageServer();
images.setRoute("/source.jpg", {
  body: await readFile(corpusPath(values.source)),
  contentType: "image/jpeg",
});
let stack: LaunchedStack | undefined;
let nginx: RunningNginx | undefined;
try {
  stack = await launchStack({
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    ALLOW_PRIVATE_SOURCES: images.origin,
    // The bench's own nginx (below, with the static server block) fronts admin-auth on loopback.
    TRUST_PROXY: "127.0.0.1",
    // The level `pnpm start` runs at (what its users measure), unless told otherwise.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
  });
  nginx = await startNginx({
    upstream: new URL(stack.url).host,
    extra: (listen) => staticServerBlock(staticDir, listen),
  });
  const base = nginx.url;
  const gatewayPid = servicePid(stack.pid, "admin-auth");

  const basic = {
    authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64")}`,
  };
  const auth = await fetch(`${base}/auth`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user_name: ADMIN.username, password: ADMIN.password }),
  });
  if (auth.status !== 200) throw new Error(`POST /auth: ${auth.status} ${await auth.text()}`);
  const bearer = { authorization: `Bearer ${((await auth.json()) as { token: string }).token}` };

  const posted = await fetch(`${base}/convert`, {
    method: "POST",
    headers: { "content-type": "application/json", ...bearer },
    body: JSON.stringify({ data: { url: `${images.url}/source.jpg`, article_id: ARTICLE } }),
  });
  if (posted.status !== 201) throw new Error(`POST /convert: ${posted.status} ${await posted.text()}`);
  const stored = (await posted.json()) as { sha256: string };
  // The static copy is the stored JPEG itself, byte for byte.
  const jpeg = new Uint8Array(
    await (await fetch(`${stack.url}/articles/${ARTICLE}`, { headers: bearer })).arrayBuffer(),
  );
  if (sha256(jpeg) !== stored.sha256) throw new Error("the stored JPEG does not match its sha256");
  await writeFile(path.join(staticDir, STATIC_PATH), jpeg);
  const linked = await fetch(`${base}/articles/${ARTICLE}/link?ttl=3600`, { headers: bearer });
  if (linked.status !== 200) throw new Error(`GET link: ${linked.status} ${await linked.text()}`);
  const link = new URL(((await linked.json()) as { url: string }).url);

  const article = `${base}/articles/${ARTICLE}`;
  const cases: Case[] = [
    {
      name: "nginx static file (anchor)",
      url: `${base}${STATIC_PATH}`,
      headers: { Host: STATIC_HOST },
      status: 200,
    },
    { name: "GET /articles/:id, HTTP Basic", url: article, headers: basic, status: 200, target: 0.5 },
    { name: "GET /articles/:id, Bearer", url: article, headers: bearer, status: 200, target: 0.5 },
    {
      name: "GET /articles/:id, If-None-Match → 304",
      url: article,
      headers: { ...basic, "if-none-match": `"${stored.sha256}"` },
      status: 304,
      target: 0.7,
    },
    {
      name: "signed link",
      url: `${base}${link.pathname}${link.search}`,
      headers: {},
      status: 200,
      target: 0.8,
    },
  ];
  const expectJpeg = { status: 200, sha256: stored.sha256, length: jpeg.length } as const;
  for (const c of cases)
    await checkAnswer(c.name, c.url, c.headers, c.status === 304 ? { status: 304 } : expectJpeg);

  const run = async (c: Case, wrkThreads = threads) => {
    const opts = { url: c.url, headers: c.headers, threads: wrkThreads, connections };
    if (warmup > 0) await runWrk({ ...opts, seconds: warmup });
    const nginxBefore = nginxCpuSeconds(nginx as RunningNginx);
    const gatewayBefore = cpuSeconds(gatewayPid);
    const result = await runWrk({ ...opts, seconds });
    return {
      result,
      nginxCpu: nginxCpuSeconds(nginx as RunningNginx) - nginxBefore,
      gatewayCpu: cpuSeconds(gatewayPid) - gatewayBefore,
    };
  };
  type Measured = Awaited<ReturnType<typeof run>>;
  const byRound: Measured[][] = [];
  for (let round = 0; round < rounds; round++) {
    const measured: Measured[] = [];
    for (const c of cases) measured.push(await run(c));
    byRound.push(measured);
  }
  const staticCase = cases[0] as Case;
  const oneThread = await run(staticCase, 1);

  // First read of freshly stored images: each upload is another size, so other bytes (a new sha256,
  // an nginx cache miss) every time.
  const coffee = (await readFile(corpusPath("skimage-coffee.png"))).toString("base64");
  const firstReads: number[] = [];
  for (let i = 0; i < freshReads; i++) {
    const up = await fetch(`${base}/img`, {
      method: "POST",
      headers: { "content-type": "application/json", ...basic },
      body: JSON.stringify({ img: coffee, x: 300 + i }),
    });
    if (up.status !== 201) throw new Error(`POST /img: ${up.status} ${await up.text()}`);
    const { id } = (await up.json()) as { id: number };
    const started = performance.now();
    const res = await request(`${base}/img/${id}`, { headers: basic });
    await res.body.arrayBuffer();
    firstReads.push(performance.now() - started);
    if (res.statusCode !== 200) throw new Error(`first read: ${res.statusCode}`);
  }
  firstReads.sort((a, b) => a - b);
  const quantile = (q: number) =>
    firstReads[Math.min(firstReads.length - 1, Math.floor(q * firstReads.length))] ?? 0;

  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  };
  const anchors = byRound.map((measured) => (measured[0] as Measured).result.rps);
  const anchor = median(anchors);
  console.log(
    `\nOne ${jpeg.length}-byte JPEG (${values.source}); wrk -t${threads} -c${connections}, ${seconds} s per case after ${warmup} s warm-up, ${rounds} rounds; database: ${stack.database}\n`,
  );
  console.log(
    "| case | req/s | p50 | p99 | max | vs static (median) | each round | target | CPU µs per request: nginx / admin-auth / wrk |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  let invalid = 0;
  cases.forEach((c, i) => {
    const runs = byRound.map((measured) => measured[i] as Measured);
    const ratios = runs.map(({ result }, round) => result.rps / (anchors[round] as number));
    const ratio = median(ratios);
    for (const { result: r } of runs) {
      // Every 200 carried the whole JPEG (wrk rounds the bytes it read), every 304 nothing.
      const bytesOk = c.status === 304 || r.bytesRead >= 0.98 * r.requests * jpeg.length;
      if (r.badStatus || r.socketErrors || !bytesOk) {
        invalid++;
        console.log(
          `${c.name}: ${r.badStatus} bad statuses, ${r.socketErrors} socket errors, ${r.bytesRead} bytes read`,
        );
      }
    }
    const sum = (pick: (m: Measured) => number) => runs.reduce((total, m) => total + pick(m), 0);
    const requests = sum((m) => m.result.requests);
    const perRequest = (cpu: number) => ((cpu * 1e6) / requests).toFixed(0);
    const target = c.target ? `≥ ${c.target} ${ratio >= c.target ? "met" : "MISSED"}` : "";
    console.log(
      `| ${c.name} | ${median(runs.map((m) => m.result.rps)).toFixed(0)} | ${median(runs.map((m) => m.result.p50Ms)).toFixed(2)} ms | ${median(runs.map((m) => m.result.p99Ms)).toFixed(2)} ms | ${Math.max(...runs.map((m) => m.result.maxMs)).toFixed(1)} ms | ${ratio.toFixed(3)} | ${ratios.map((r) => r.toFixed(3)).join(", ")} | ${target} | ${perRequest(sum((m) => m.nginxCpu))} / ${perRequest(sum((m) => m.gatewayCpu))} / ${perRequest(sum((m) => m.result.cpuSeconds))} |`,
    );
  });
  console.log(
    `\nstatic with wrk -t1: ${oneThread.result.rps.toFixed(0)} req/s (wrk CPU ${oneThread.result.cpuSeconds.toFixed(1)} s, nginx ${oneThread.nginxCpu.toFixed(1)} s) vs -t${threads}: ${anchor.toFixed(0)} req/s`,
  );
  console.log(
    `first read of a freshly stored image (GET /img/:id through nginx, Basic, ${firstReads.length} images): p50 ${quantile(0.5).toFixed(1)} ms, p90 ${quantile(0.9).toFixed(1)} ms (target p50 < 20 ms)`,
  );
  if (invalid > 0) {
    console.log("\nanswers with another status, errors or short bodies: the figures are not valid");
    process.exitCode = 1;
  }
} finally {
  await nginx?.stop();
  await stack?.stop();
  await images.close();
  await rm(staticDir, { recursive: true, force: true });
}
