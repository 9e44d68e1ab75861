import { readFile } from "node:fs/promises";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;

beforeAll(async () => {
  images = await startImageServer();
  images.setRoute("/big.jpg", {
    body: await readFile(corpusPath("plasma-path.jpg")),
    contentType: "image/jpeg",
  });
  // One slot and one waiting place: the third simultaneous job must be turned away.
  stack = await startStack({
    env: { ALLOW_PRIVATE_SOURCES: images.origin, COMPRESS_CONCURRENCY: "1", COMPRESS_QUEUE_MAX: "1" },
  });
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

describe("overload", () => {
  it("answers 503 busy with Retry-After beyond the bounded queue, then recovers", async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        http(`${stack.url}/convert`, {
          json: { user: ADMIN, data: { url: `${images.url}/big.jpg`, article_id: `LOAD-${i}` } },
        }),
      ),
    );
    const busy = answers.filter((a) => a.status === 503);
    const stored = answers.filter((a) => a.status === 201);
    expect(busy.length).toBeGreaterThan(0);
    expect(stored.length).toBeGreaterThanOrEqual(2);
    expect(busy.length + stored.length).toBe(6);
    for (const a of busy) {
      expect(a.json.code).toBe("busy");
      expect(Number(a.headers["retry-after"])).toBeGreaterThan(0);
    }
    const [row] = await stack.sql<{ n: number }[]>`select count(*)::int as n from images`;
    expect(row?.n).toBe(stored.length);
    const after = await http(`${stack.url}/convert`, {
      json: { user: ADMIN, data: { url: `${images.url}/big.jpg`, article_id: "LOAD-after" } },
    });
    expect(after.status).toBe(201);
  });
});
