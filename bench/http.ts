// pnpm bench:http — GET throughput of one stored article JPEG through nginx, against the same nginx
// serving the same bytes as a static file, in the same run: the ratio is the figure (absolute req/s
// depend on the machine). Also: the 304 path (If-None-Match) and admin-auth without nginx.
// Load from an undici closed loop (support/closed-loop.ts says why not autocannon).
// Not a CI gate: it prints figures for the README.
//   pnpm bench:http [--duration 10] [--connections 10] [--warmup 2]
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { corpusPath, startImageServer } from "@belfoot/testkit";
import { type RunningNginx, startNginx } from "../tests/support/nginx";
import { checkAnswer, sha256 } from "./support/check-answer";
import { closedLoop, type LoopResult } from "./support/closed-loop";
import { type LaunchedStack, launchStack } from "./support/launch-stack";
import { STATIC_HOST, STATIC_PATH, staticServerBlock } from "./support/static-server";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    source: { type: "string", default: "plasma-kite.jpg" },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const warmup = Number(values.warmup);
const ADMIN = { username: "admin", password: "bench-admin-password" };
const ARTICLE = "BENCH-HTTP-1";

interface Case {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The status every answer must have: 304 for the conditional case, else 200. */
  status: 200 | 304;
}

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
  });
  nginx = await startNginx({
    upstream: new URL(stack.url).host,
    extra: (listen) => staticServerBlock(staticDir, listen),
  });

  const auth = await fetch(`${nginx.url}/auth`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user_name: ADMIN.username, password: ADMIN.password }),
  });
  if (auth.status !== 200) throw new Error(`POST /auth: ${auth.status} ${await auth.text()}`);
  const bearer = { authorization: `Bearer ${((await auth.json()) as { token: string }).token}` };

  const posted = await fetch(`${nginx.url}/convert`, {
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
  const etag = `"${stored.sha256}"`;

  const cases: Case[] = [
    {
      name: "static file (nginx, baseline)",
      url: `${nginx.url}${STATIC_PATH}`,
      headers: { host: STATIC_HOST },
      status: 200,
    },
    {
      name: "GET /articles/:id via nginx",
      url: `${nginx.url}/articles/${ARTICLE}`,
      headers: bearer,
      status: 200,
    },
    {
      name: "GET /articles/:id via nginx, 304",
      url: `${nginx.url}/articles/${ARTICLE}`,
      headers: { ...bearer, "if-none-match": etag },
      status: 304,
    },
    {
      name: "GET /articles/:id direct",
      url: `${stack.url}/articles/${ARTICLE}`,
      headers: bearer,
      status: 200,
    },
  ];
  const expectJpeg = { status: 200, sha256: stored.sha256, length: jpeg.length } as const;
  for (const c of cases) {
    await checkAnswer(c.name, c.url, c.headers, c.status === 304 ? { status: 304 } : expectJpeg);
  }

  const results: [Case, LoopResult][] = [];
  for (const c of cases) {
    const opts = { url: c.url, headers: c.headers, connections };
    if (warmup > 0) await closedLoop({ ...opts, seconds: warmup });
    results.push([c, await closedLoop({ ...opts, seconds: duration })]);
  }

  const baseline = (results[0] as [Case, LoopResult])[1].rps;
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(
    `\nGET of one ${jpeg.length}-byte JPEG (${values.source}), ${duration} s per case after ${warmup} s warm-up, ${connections} connections, database: ${stack.database}\n`,
  );
  console.log("| case | req/s | p50 | p99 | MB/s | answers | other status | errors | vs static |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  let invalid = 0;
  const notes: string[] = [];
  for (const [c, r] of results) {
    const other = r.total - (r.statuses.get(c.status) ?? 0);
    const errors = [...r.errors.values()].reduce((a, b) => a + b, 0);
    // Every 200 carried the whole JPEG, every 304 nothing.
    const wrongBytes = r.bytes !== (c.status === 200 ? r.total * jpeg.length : 0);
    invalid += other + errors + (wrongBytes ? 1 : 0);
    if (wrongBytes) notes.push(`${c.name}: ${r.bytes} body bytes in ${r.total} answers`);
    if (other) notes.push(`${c.name}: statuses ${[...r.statuses].map(([k, n]) => `${k} x${n}`).join(", ")}`);
    if (errors) notes.push(`${c.name}: errors ${[...r.errors].map(([k, n]) => `${k} x${n}`).join(", ")}`);
    console.log(
      `| ${c.name} | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p99)} | ${mb(r.bytesPerSecond)} | ${r.total} | ${other} | ${errors} | ${(r.rps / baseline).toFixed(3)} |`,
    );
  }
  for (const note of notes) console.log(note);
  if (invalid > 0) {
    console.log("\nanswers with another status, or errors: the figures are not valid");
    process.exitCode = 1;
  }
} finally {
  await nginx?.stop();
  await stack?.stop();
  await images.close();
  await rm(staticDir, { recursive: true, force: true });
}
