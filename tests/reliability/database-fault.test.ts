import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type EmbeddedPostgresServer, startEmbeddedPostgres } from "@belfoot/pg-embedded";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

// A PostgreSQL this test owns, so it can stop and start it under the running services.
let dir: string;
let pg: EmbeddedPostgresServer;
let stack: Stack;
let images: ImageServer;
const password = randomBytes(18).toString("base64url");

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "belfoot-dbfault-"));
  // mkdtemp makes it 0700: as root, the server runs as the postgres user, who must pass through.
  await chmod(dir, 0o711);
  pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), password });
  images = await startImageServer();
  images.setRoute("/coffee.png", {
    body: await readFile(corpusPath("skimage-coffee.png")),
    contentType: "image/png",
  });
  stack = await startStack({ databaseUrl: pg.url, env: { ALLOW_PRIVATE_SOURCES: images.origin } });
});
afterAll(async () => {
  await stack?.close();
  await pg?.stop();
  await images?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const auth = () => basic(ADMIN.username, ADMIN.password);
const convert = (articleId: string) =>
  http(`${stack.url}/convert`, {
    json: { user: ADMIN, data: { url: `${images.url}/coffee.png`, article_id: articleId } },
  });

describe("PostgreSQL stops and comes back", () => {
  it("answers 503 with Retry-After while it is down, loses nothing, and recovers without a restart", async () => {
    const before = await convert("KEEP-1");
    expect(before.status).toBe(201);

    await pg.stop();
    for (const res of [
      await convert("LOST-1"),
      await http(`${stack.url}/articles/KEEP-1`, { headers: auth() }),
      await http(`${stack.url}/auth`, { json: { user_name: ADMIN.username, password: ADMIN.password } }),
    ]) {
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ status: 503, code: "database_unavailable" });
      expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
      expect(JSON.stringify(res.json)).not.toMatch(/ECONNREFUSED|postgres|at .*:\d+:\d+/);
    }
    const ready = await http(`${stack.url}/ready`);
    expect(ready.status).toBe(503);
    expect(ready.json.checks).toMatchObject({ database: false });
    // The process is alive all along.
    expect((await http(`${stack.url}/health`)).status).toBe(200);

    pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: pg.port, password });
    const kept = await http(`${stack.url}/articles/KEEP-1`, { headers: auth() });
    expect(kept.status).toBe(200);
    expect(kept.headers.etag).toBe(`"${before.json.sha256}"`);
    expect((await convert("AFTER-1")).status).toBe(201);
    const rows = await stack.sql<{ articleId: string }[]>`select article_id from images order by id`;
    expect(rows.map((r) => r.articleId)).toEqual(["KEEP-1", "AFTER-1"]);
    expect((await http(`${stack.url}/ready`)).status).toBe(200);
  });
});
