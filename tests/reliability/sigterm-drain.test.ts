import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@belfoot/pg-embedded";
import { corpusPath, createTestDatabase, startImageServer } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { describe, expect, it } from "vitest";
import { http } from "../support/http";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("SIGTERM", () => {
  it("the converter finishes in-flight requests before it exits", async () => {
    const db = await createTestDatabase();
    const dataDir = await mkdtemp(path.join(tmpdir(), "belfoot-drain-"));
    const images = await startImageServer();
    const coffee = await readFile(corpusPath("skimage-coffee.png"));
    let release: () => void = () => {};
    images.setRoute("/slow.png", (_req, res) => {
      release = () => res.writeHead(200, { "content-type": "image/png" }).end(coffee);
    });
    const port = await freePort();
    const token = randomBytes(24).toString("hex");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(root, "services/img-converter/src/main.ts")],
      {
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          DATA_DIR: dataDir,
          INTERNAL_TOKEN: token,
          JWT_SECRET: randomBytes(24).toString("hex"),
          CONVERTER_PORT: String(port),
          // No metrics listener: its fixed default port could be another test's.
          CONVERTER_METRICS_PORT: "0",
          ALLOW_PRIVATE_SOURCES: images.origin,
          LOG_LEVEL: "warn",
        },
        stdio: "ignore",
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      const healthy = () =>
        http(`${base}/health`).then(
          (r) => r.status === 200,
          () => false,
        );
      await waitUntil("the converter answers /health", healthy, 45_000);
      const inFlight = http(`${base}/convert`, {
        json: { data: { url: `${images.url}/slow.png`, article_id: "DRAIN-1" } },
        headers: { "x-internal-token": token },
      });
      await waitUntil("the converter downloads the source", () => images.hits("/slow.png") > 0);
      child.kill("SIGTERM");
      // Closed to new work while it drains…
      await waitUntil("the converter stops accepting connections", async () => !(await healthy()));
      await expect(http(`${base}/health`)).rejects.toThrow();
      release();
      // …but the request already accepted completes and is stored.
      const answer = await inFlight;
      expect(answer.status).toBe(201);
      expect(answer.json.article_id).toBe("DRAIN-1");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      await images.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
