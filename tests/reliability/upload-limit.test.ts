import { readFile } from "node:fs/promises";
import { type ClientRequest, request } from "node:http";
import { corpusPath } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http } from "../support/http";
import { uploadsHeld } from "../support/queue-state";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;

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
    await waitUntil(
      "the unfinished upload holds the place",
      async () => (await uploadsHeld(stack.gateway)) === 1,
      20_000,
    );

    const turned = await http(`${stack.url}/img`, { json: { img }, headers: { authorization: basic } });
    expect(turned.status).toBe(503);
    expect(turned.json.code).toBe("busy");
    expect(Number(turned.headers["retry-after"])).toBeGreaterThan(0);

    // The client gives up on its upload: its slot comes back, and the next upload is stored.
    first.destroy();
    await waitUntil("no upload holds a place", async () => (await uploadsHeld(stack.gateway)) === 0, 20_000);
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
