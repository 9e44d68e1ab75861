import { readFile } from "node:fs/promises";
import { type ClientRequest, request } from "node:http";
import { corpusPath } from "@belfoot/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http } from "../support/http";
import { eventually } from "../support/slow-client";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;

/** Uploads holding a place, from admin-auth's own gauge. */
async function uploadsHeld(): Promise<number> {
  const gauge = await stack.gateway.metrics.getSingleMetric("belfoot_uploads_in_progress")?.get();
  return gauge?.values[0]?.value ?? -1;
}
const basic = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64")}`;

beforeAll(async () => {
  stack = await startStack({ env: { UPLOADS_AT_ONCE: "1" } });
});
afterAll(async () => {
  await stack?.close();
});

/** A POST /img to admin-auth whose body is announced at 20 MB and stops after 64 KB. */
function unfinishedUpload(): ClientRequest {
  const url = new URL(`${stack.url}/img`);
  const req = request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: "POST",
    headers: {
      "content-type": "application/json",
      "content-length": String(20_000_000),
      authorization: basic,
    },
  });
  req.on("error", () => {});
  req.write(`{"img":"${"A".repeat(64 * 1024)}`);
  return req;
}

describe("POST /img uploads at once (UPLOADS_AT_ONCE)", () => {
  it("turns an upload away unread while the allowed ones are being received, and frees the slot after", async () => {
    const img = (await readFile(corpusPath("skimage-coffee.png"))).toString("base64");
    const first = unfinishedUpload();
    // Its credentials are checked, then it takes the place (admin-auth's gauge says when).
    expect(await eventually(async () => (await uploadsHeld()) === 1, 20_000)).toBe(true);

    const turned = await http(`${stack.url}/img`, { json: { img }, headers: { authorization: basic } });
    expect(turned.status).toBe(503);
    expect(turned.json.code).toBe("busy");
    expect(Number(turned.headers["retry-after"])).toBeGreaterThan(0);

    // The client gives up on its upload: its slot comes back, and the next upload is stored.
    first.destroy();
    expect(await eventually(async () => (await uploadsHeld()) === 0, 20_000)).toBe(true);
    const stored = await http(`${stack.url}/img`, { json: { img }, headers: { authorization: basic } });
    expect(stored.status).toBe(201);

    // Uploads one after the other, refused ones included, never leave the slot taken.
    const refused = await http(`${stack.url}/img`, {
      json: { img },
      headers: { authorization: "Basic eDp5" },
    });
    expect(refused.status).toBe(401);
    const invalid = await http(`${stack.url}/img`, { json: { nope: 1 }, headers: { authorization: basic } });
    expect(invalid.status).toBe(400);
    const again = await http(`${stack.url}/img`, {
      json: { img, x: 100 },
      headers: { authorization: basic },
    });
    expect(again.status).toBe(201);
  });
});
