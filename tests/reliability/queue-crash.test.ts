import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildGatewayApp } from "@belfoot/admin-auth";
import { loadConfig } from "@belfoot/config";
import { connect, migrate, type Sql } from "@belfoot/db";
import { createLogger } from "@belfoot/logging";
import {
  corpusPath,
  createTestDatabase,
  type ImageServer,
  startImageServer,
  type TestDatabase,
} from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, http } from "../support/http";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ADMIN = { username: "admin", password: "admin-password-crash-1" };
const JOBS = 50;
const EXPIRE_SECONDS = 10;
const SOURCES = [
  "skimage-rocket.jpg",
  "mate-greenmeadow.jpg",
  "skimage-coffee.png",
  "skimage-camera-gray.png",
];

let db: TestDatabase;
let dataDir: string;
let sql: Sql;
let gatewaySql: Sql;
let gateway: FastifyInstance;
let gatewayUrl: string;
let images: ImageServer;
const converters: ChildProcess[] = [];
const sourceBytes = new Map<string, number>();
let openFetches = 0;

/** A real img-converter process on the test database, as `pnpm start` or a container runs it. */
function startConverter(env: Record<string, string>): ChildProcess {
  const child = spawn(
    process.execPath,
    ["--import", require.resolve("tsx"), "services/img-converter/src/main.ts"],
    {
      cwd: root,
      env: { ...process.env, ...env, CONVERTER_PORT: "0", CONVERTER_METRICS_PORT: "0", LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  converters.push(child);
  return child;
}

beforeAll(async () => {
  images = await startImageServer();
  for (const name of SOURCES) {
    const body = await readFile(corpusPath(name));
    sourceBytes.set(`/${name}`, body.length);
    // Each download takes a while, so a converter killed mid-batch is holding jobs.
    images.setRoute(`/${name}`, (_req, res) => {
      openFetches++;
      setTimeout(() => {
        openFetches--;
        res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
      }, 400);
    });
  }
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "belfoot-crash-"));
  const env = {
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    INTERNAL_TOKEN: randomBytes(24).toString("hex"),
    JWT_SECRET: randomBytes(24).toString("hex"),
    WEBHOOK_SECRET: `whsec_${randomBytes(32).toString("base64")}`,
    ALLOW_PRIVATE_SOURCES: images.origin,
    JOB_EXPIRE_SECONDS: String(EXPIRE_SECONDS),
    COMPRESS_CONCURRENCY: "2",
  };
  sql = connect(db.url, { max: 2 });
  await migrate(sql);
  const config = loadConfig({
    ...env,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: "silent",
  });
  gatewaySql = connect(db.url, { max: 4 });
  gateway = await buildGatewayApp({
    config,
    sql: gatewaySql,
    logger: createLogger({ name: "admin-auth", level: "silent" }),
  });
  await gateway.listen({ host: "127.0.0.1", port: 0 });
  gatewayUrl = `http://127.0.0.1:${(gateway.server.address() as { port: number }).port}`;
  startConverter(env);
  startConverter(env);
}, 180_000);

afterAll(async () => {
  for (const child of converters)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await gateway?.close();
  await Promise.all([sql?.end(), gatewaySql?.end()]);
  await db?.drop();
  await images?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const count = async (state: string) =>
  (await sql`select count(*)::int as n from conversion_jobs where state = ${state}`)[0]?.n as number;

describe("a converter killed mid-batch", () => {
  it("loses no job: every one completes once, its article stored once from its own source", async () => {
    const items = Array.from({ length: JOBS }, (_, i) => ({
      url: `${images.url}/${SOURCES[i % SOURCES.length]}`,
      article_id: `crash-${i}`,
    }));
    const batch = await http(`${gatewayUrl}/convert/batch`, {
      json: { items },
      headers: basic(ADMIN.username, ADMIN.password),
    });
    expect(batch.status).toBe(202);
    expect(batch.json.queued).toBe(JOBS);

    // Some of the batch done and both converters at work right now (each runs at most 2 jobs, so 3
    // downloads at once means both have started jobs): the first converter dies at that moment,
    // without any chance to clean up, so jobs it had started must be delivered again.
    await waitUntil(
      "part of the batch done while both converters are downloading",
      async () => (await count("completed")) >= 4 && openFetches >= 3,
      150_000,
    );
    const [victim] = converters;
    victim?.kill("SIGKILL");
    expect(await count("completed")).toBeLessThan(JOBS);

    await waitUntil("every job is completed", async () => (await count("completed")) === JOBS, 170_000);
    expect(await count("active")).toBe(0);
    expect(await count("failed")).toBe(0);
    // The dead converter's jobs were taken over after their expiry: delivered again, stored once.
    const [retried] = await sql`select count(*)::int as n from conversion_jobs where attempts > 1`;
    expect(retried?.n).toBeGreaterThan(0);
    const stored = await sql<{ articleId: string; sourceUrl: string; sourceBytes: number }[]>`
      select article_id, source_url, source_bytes from images where article_id like 'crash-%'`;
    expect(stored).toHaveLength(JOBS);
    for (const row of stored) {
      const i = Number(row.articleId.slice("crash-".length));
      const source = `/${SOURCES[i % SOURCES.length]}`;
      expect(row.sourceUrl).toBe(`${images.url}${source}`);
      expect(row.sourceBytes).toBe(sourceBytes.get(source));
    }
    // Each job's answer names the image stored for its article.
    const answers = await sql<{ articleId: string; id: number }[]>`
      select j.article_id, (j.result->>'id')::float8 as id from conversion_jobs j`;
    const ids = await sql<{ articleId: string; id: number }[]>`
      select article_id, id::float8 as id from images where article_id like 'crash-%'`;
    expect(new Map(answers.map((a) => [a.articleId, a.id]))).toEqual(
      new Map(ids.map((r) => [r.articleId, r.id])),
    );
  }, 400_000);
});
