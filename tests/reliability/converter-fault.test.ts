import { readFile } from "node:fs/promises";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
let releaseSlow: () => void = () => {};

beforeAll(async () => {
  images = await startImageServer();
  const coffee = await readFile(corpusPath("skimage-coffee.png"));
  images.setRoute("/coffee.png", { body: coffee, contentType: "image/png" });
  // Holds the converter mid-request until the test lets go.
  images.setRoute("/slow.png", (_req, res) => {
    releaseSlow = () => res.writeHead(200, { "content-type": "image/png" }).end(coffee);
  });
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin } });
});
afterAll(async () => {
  releaseSlow();
  await stack?.close();
  await images?.close();
});

const convert = (file: string, articleId: string) =>
  http(`${stack.url}/convert`, {
    json: { user: ADMIN, data: { url: `${images.url}/${file}`, article_id: articleId } },
  });

describe("the converter dies mid-request", () => {
  it("the gateway answers 502/503, and succeeds again once the converter is back", async () => {
    const inFlight = convert("slow.png", "CRASH-1");
    await waitUntil("the converter downloads the source", () => images.hits("/slow.png") > 0);
    await stack.killConverter();
    const crashed = await inFlight;
    expect([502, 503]).toContain(crashed.status);
    expect(crashed.json.code).toMatch(/^converter_/);

    const down = await convert("coffee.png", "DOWN-1");
    expect(down.status).toBe(503);
    expect(down.json.code).toBe("converter_unavailable");
    expect(Number(down.headers["retry-after"])).toBeGreaterThan(0);
    expect((await http(`${stack.url}/ready`)).json.checks).toMatchObject({ converter: false });

    await stack.restartConverter();
    const back = await convert("coffee.png", "BACK-1");
    expect(back.status).toBe(201);
    const rows = await stack.sql<{ articleId: string }[]>`select article_id from images order by id`;
    expect(rows.map((r) => r.articleId)).toEqual(["BACK-1"]);
  });
});
