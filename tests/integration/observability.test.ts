import { readFile } from "node:fs/promises";
import path from "node:path";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;

beforeAll(async () => {
  images = await startImageServer();
  images.setRoute("/coffee.png", {
    body: await readFile(corpusPath("skimage-coffee.png")),
    contentType: "image/png",
  });
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin }, logLevel: "info" });
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

describe("request ids", () => {
  it("a caller's X-Request-Id travels to the converter, into its log lines and into error bodies", async () => {
    const id = "trace-4242-abc";
    const ok = await http(`${stack.url}/convert`, {
      json: { user: ADMIN, data: { url: `${images.url}/coffee.png`, article_id: "OBS-1" } },
      headers: { "x-request-id": id },
    });
    expect(ok.status).toBe(201);
    expect(ok.headers["x-request-id"]).toBe(id);
    const converterLog = await readFile(path.join(stack.config.LOG_DIR, "img-converter", "info.log"), "utf8");
    const lines = converterLog
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.reqId === id && l.msg === "image stored")).toBe(true);

    const bad = await http(`${stack.url}/convert`, {
      json: { user: ADMIN },
      headers: { "x-request-id": "trace-bad-1" },
    });
    expect(bad.json.request_id).toBe("trace-bad-1");
  });

  it("makes one when the caller sends none, and replaces one that is not an id", async () => {
    const made = await http(`${stack.url}/health`);
    expect(made.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const odd = await http(`${stack.url}/health`, { headers: { "x-request-id": "has spaces and <tags>" } });
    expect(odd.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("metrics", () => {
  it("counts requests by route pattern and status, and the converter's compression work", async () => {
    // Compression work of its own, whatever ran before it in this file.
    const converted = await http(`${stack.url}/convert`, {
      json: { user: ADMIN, data: { url: `${images.url}/coffee.png`, article_id: "OBS-METRICS" } },
    });
    expect(converted.status).toBe(201);
    await http(`${stack.url}/articles/none-such`, { json: { user: ADMIN }, method: "GET" });
    const gateway = (await http(`${stack.gatewayMetricsUrl}/metrics`)).body.toString();
    expect(gateway).toMatch(
      /belfoot_http_requests_total\{[^}]*route="\/articles\/:article_id"[^}]*status="404"[^}]*\} 1/,
    );
    expect(gateway).not.toContain("none-such");
    const converter = (await http(`${stack.converterMetricsUrl}/metrics`)).body.toString();
    expect(converter).toMatch(/belfoot_compress_seconds_count\{[^}]*\} [1-9]/);
    expect(converter).toMatch(/belfoot_saved_bytes_total\{[^}]*\} [1-9]/);
    // Idle now: no job running, waiting for a slot, or downloading its source with a place held.
    for (const state of ["active", "waiting", "fetching"]) {
      expect(converter).toMatch(new RegExp(`belfoot_compress_queue_depth\\{[^}]*state="${state}"[^}]*\\} 0`));
    }
  });

  it("are served apart from the public ports, where /metrics is only a JSON refusal", async () => {
    // The gateway has no such route; the converter asks for its internal token first.
    for (const [base, status] of [
      [stack.url, 404],
      [stack.converterUrl, 401],
    ] as const) {
      const res = await http(`${base}/metrics`);
      expect(res.status, base).toBe(status);
      expect(res.body.toString()).not.toContain("belfoot_http_requests_total");
      expect(res.json).toMatchObject({ status });
    }
    expect((await http(`${stack.gatewayMetricsUrl}/metrics`)).headers["content-type"]).toMatch(
      /^text\/plain/,
    );
  });
});

describe("probes", () => {
  it("the converter answers /health and /ready without its internal token, and nothing else", async () => {
    const ready = await http(`${stack.converterUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: 200, checks: { database: true } });
    expect((await http(`${stack.converterUrl}/health`)).status).toBe(200);
    const convert = await http(`${stack.converterUrl}/convert`, { json: {} });
    expect(convert.json).toMatchObject({ status: 401, code: "invalid_internal_token" });
  });
});

describe("OpenAPI", () => {
  it("serves the document at /openapi.json with the public routes and the UI at /docs", async () => {
    const doc = await http(`${stack.url}/openapi.json`);
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.json.paths as object);
    for (const p of ["/convert", "/articles/{article_id}", "/registration", "/auth", "/img", "/img/{id}"]) {
      expect(paths).toContain(p);
    }
    expect((await http(`${stack.url}/docs`)).status).toBeLessThan(400);
  });
});
