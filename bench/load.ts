// pnpm bench:load — load through real nginx against the zero-setup stack (`pnpm start`'s launcher,
// embedded PostgreSQL, both services as processes). A mix of POST /convert (sources from a local
// server) and GET /articles/:id for a fixed time; then every acknowledged post is read back and its
// sha256 checked. Baseline in the same run: GET /health through the same nginx.
// Not a CI gate: it prints figures for the README.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { corpusPath, startImageServer } from "@belfoot/testkit";
import autocannon from "autocannon";
import { startNginx } from "../tests/support/nginx";
import { type LaunchedStack, launchStack } from "./support/launch-stack";
import { childPids, peakRssMb } from "./support/process-stats";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "20" },
    "get-connections": { type: "string", default: "16" },
    "post-connections": { type: "string", default: "4" },
  },
});
const duration = Number(values.duration);
const ADMIN = { username: "admin", password: "bench-admin-password" };
const basic = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64")}`;
const SOURCES = [
  "skimage-coffee.png",
  "plasma-honeywave-portrait.jpg",
  "mate-dune.jpg",
  "skimage-rocket.jpg",
];

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

const images = await startImageServer();
for (const file of SOURCES) {
  images.setRoute(`/${file}`, {
    body: await readFile(corpusPath(file)),
    contentType: file.endsWith(".png") ? "image/png" : "image/jpeg",
  });
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
    COMPRESS_QUEUE_MAX: "64",
  });
  nginx = await startNginx({ upstream: new URL(stack.url).host });
  const base = nginx.url;

  // Seed articles for the GETs.
  const seeded: string[] = [];
  for (const [i, file] of SOURCES.entries()) {
    const id = `SEED-${i}`;
    const res = await fetch(`${base}/convert`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: ADMIN, data: { url: `${images.url}/${file}`, article_id: id } }),
    });
    if (res.status !== 201) throw new Error(`seeding ${id}: ${res.status} ${await res.text()}`);
    seeded.push(id);
  }

  // Readers use a token: one argon2 check at /auth instead of one per request (Basic's cost).
  const auth = await fetch(`${base}/auth`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user_name: ADMIN.username, password: ADMIN.password }),
  });
  const bearer = `Bearer ${((await auth.json()) as { token: string }).token}`;

  const baseline = await run({
    url: `${base}/health`,
    connections: Number(values["get-connections"]),
    duration: Math.max(5, Math.round(duration / 4)),
  });

  const acknowledged = new Map<string, string>();
  const statuses = new Map<string, number>();
  const count = (kind: string, status: number) =>
    statuses.set(`${kind} ${status}`, (statuses.get(`${kind} ${status}`) ?? 0) + 1);
  let postSeq = 0;
  const [posts, gets] = await Promise.all([
    run({
      url: base,
      connections: Number(values["post-connections"]),
      duration,
      requests: [
        {
          method: "POST",
          path: "/convert",
          headers: { "content-type": "application/json" },
          setupRequest: (req) => {
            const n = postSeq++;
            return {
              ...req,
              body: JSON.stringify({
                user: ADMIN,
                data: { url: `${images.url}/${SOURCES[n % SOURCES.length]}`, article_id: `LOAD-${n}` },
              }),
            };
          },
          onResponse: (status, body) => {
            count("POST", status);
            if (status === 201 || status === 200) {
              const json = JSON.parse(body);
              acknowledged.set(json.article_id, json.sha256);
            }
          },
        },
      ],
    }),
    run({
      url: base,
      connections: Number(values["get-connections"]),
      duration,
      requests: [
        {
          method: "GET",
          setupRequest: (req) => ({
            ...req,
            path: `/articles/${seeded[Math.floor(Math.random() * seeded.length)]}`,
            headers: { authorization: bearer },
          }),
          onResponse: (status) => count("GET", status),
        },
      ],
    }),
  ]);

  // Every acknowledged post must be readable with the sha256 it was acknowledged with.
  let verified = 0;
  const mismatched: string[] = [];
  for (const [id, sha] of acknowledged) {
    const res = await fetch(`${base}/articles/${id}/meta`, { headers: { authorization: basic } });
    const json = (await res.json()) as { sha256?: string };
    if (res.status === 200 && json.sha256 === sha) verified++;
    else mismatched.push(id);
  }

  const NAMES = ["img-converter", "admin-auth", "postgres"];
  const services = childPids(stack.pid).flatMap((c) => {
    const name = NAMES.find((n) => c.cmd.includes(`/${n}`));
    return name ? [{ name, rss: peakRssMb(c.pid) }] : [];
  });

  const row = (name: string, r: autocannon.Result) =>
    `| ${name} | ${r.requests.average.toFixed(1)} | ${r.latency.p50} ms | ${r.latency.p99} ms | ${r.requests.total} | ${r.non2xx} | ${r.errors + r.timeouts} |`;
  console.log(
    `\nload through nginx, ${duration} s, ${values["post-connections"]} POST + ${values["get-connections"]} GET connections\n`,
  );
  console.log("| traffic | req/s | p50 | p99 | requests | non-2xx | errors+timeouts |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  console.log(row("GET /health (baseline, alone)", baseline));
  console.log(row("POST /convert", posts));
  console.log(row("GET /articles/:id", gets));
  console.log(
    `\nGET /articles/:id req/s over baseline GET /health req/s: ${(gets.requests.average / baseline.requests.average).toFixed(3)}`,
  );
  console.log(`answers by status: ${[...statuses].map(([k, v]) => `${k}: ${v}`).join(", ")}`);
  console.log(
    `acknowledged posts read back with the right sha256: ${verified}/${acknowledged.size}${mismatched.length ? ` (mismatched: ${mismatched.slice(0, 5).join(", ")})` : ""}`,
  );
  console.log(`peak RSS: ${services.map((s) => `${s.name} ${s.rss.toFixed(0)} MB`).join(", ")}`);
  if (mismatched.length) process.exitCode = 1;
} finally {
  await nginx?.stop();
  await stack?.stop();
  await images.close();
}
