import { readFile } from "node:fs/promises";
import { corpusPath } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, bearer, http } from "../support/http";
import { uploadsHeld } from "../support/queue-state";
import { openSlow, type SlowConnection } from "../support/slow-client";
import { ADMIN, type Stack, startStack } from "../support/stack";

// Slow clients straight at admin-auth (no nginx in front to buffer them): the upload places
// (UPLOADS_AT_ONCE) go only to callers who authenticated, and the HTTP timeouts close a connection
// that sends its headers or body too slowly. The three concerns wait on timeouts of their own and share
// no place, so they run side by side; the two upload tests, which share the places, one after the other.

const PLACES = 2;
const REQUEST_TIMEOUT_MS = 6000;
let stack: Stack;
let img: string;
/** Bearer: checked without argon2, so a loaded machine does not eat into the request timeout. */
let token: string;
const open: SlowConnection[] = [];

beforeAll(async () => {
  img = (await readFile(corpusPath("skimage-palette.png"))).toString("base64");
  stack = await startStack({
    env: {
      UPLOADS_AT_ONCE: String(PLACES),
      HTTP_HEADERS_TIMEOUT_MS: "1000",
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_IDLE_TIMEOUT_MS: "1500",
    },
  });
  const auth = await http(`${stack.url}/auth`, {
    json: { user_name: ADMIN.username, password: ADMIN.password },
  });
  token = auth.json.token as string;
});
afterAll(async () => {
  for (const connection of open) connection.destroy();
  await stack?.close();
});

/** A POST /img announcing 5 MB of body and sending it one byte at a time. */
async function slowUpload(authorization?: string): Promise<SlowConnection> {
  const head = [
    "POST /img HTTP/1.1",
    `Host: ${new URL(stack.url).host}`,
    "Content-Type: application/json",
    "Content-Length: 5000000",
    ...(authorization ? [`Authorization: ${authorization}`] : []),
    "",
    '{"img":"',
  ].join("\r\n");
  const connection = await openSlow(stack.url, head);
  connection.trickle("A".repeat(10_000), 200);
  open.push(connection);
  return connection;
}

const upload = () => http(`${stack.url}/img`, { json: { img }, headers: bearer(token) });

describe.concurrent("slow uploads", () => {
  it.sequential("without valid credentials hold no place: refused before their bodies, and an authenticated upload gets in", async () => {
    const anonymous = await Promise.all(Array.from({ length: 2 * PLACES }, () => slowUpload()));
    const wrong = await Promise.all(
      Array.from({ length: PLACES }, () =>
        slowUpload(basic(ADMIN.username, "not-the-password").authorization),
      ),
    );
    const everyone = [...anonymous, ...wrong];
    await waitUntil(
      "every slow upload is answered",
      () => everyone.every((c) => c.status() !== undefined),
      20_000,
    );
    expect(everyone.map((c) => c.status())).toEqual(everyone.map(() => 401));
    expect(await uploadsHeld(stack.gateway)).toBe(0);

    const stored = await upload();
    expect(stored.status).toBe(201);
  });

  it.sequential("from an authenticated caller are cut at HTTP_REQUEST_TIMEOUT_MS, and their places come back", async () => {
    const authorization = bearer(token).authorization;
    const slow = await Promise.all(Array.from({ length: PLACES }, () => slowUpload(authorization)));
    await waitUntil(
      "the slow uploads hold every place",
      async () => (await uploadsHeld(stack.gateway)) === PLACES,
      20_000,
    );
    const turned = await upload();
    expect(turned.status).toBe(503);
    expect(turned.json.code).toBe("busy");

    // Node answers 408 and closes the connection once the whole request has not arrived in time.
    await waitUntil(
      "the slow uploads are closed",
      () => slow.every((c) => c.closed()),
      5 * REQUEST_TIMEOUT_MS,
    );
    for (const connection of slow) expect([undefined, 408]).toContain(connection.status());
    await waitUntil("no upload holds a place", async () => (await uploadsHeld(stack.gateway)) === 0, 5_000);
    expect((await upload()).status).toBe(201);
  }, 60_000);
});

describe.concurrent("slow headers", () => {
  it("a connection that sends its headers a byte at a time is closed at HTTP_HEADERS_TIMEOUT_MS", async () => {
    const connection = await openSlow(
      stack.url,
      `POST /auth HTTP/1.1\r\nHost: ${new URL(stack.url).host}\r\n`,
    );
    open.push(connection);
    connection.trickle(`X-Slow: ${"a".repeat(10_000)}`, 100);
    await waitUntil("the slow-header connection is closed", () => connection.closed(), 20_000);
    expect([undefined, 408]).toContain(connection.status());
  }, 30_000);
});

describe.concurrent("idle connections", () => {
  it("a kept-alive connection left idle after its answer is closed at HTTP_IDLE_TIMEOUT_MS", async () => {
    const connection = await openSlow(
      stack.url,
      `GET /health HTTP/1.1\r\nHost: ${new URL(stack.url).host}\r\n\r\n`,
    );
    open.push(connection);
    await waitUntil("the health answer arrives", () => connection.status() !== undefined);
    expect(connection.status()).toBe(200);
    await waitUntil("the idle connection is closed", () => connection.closed(), 20_000);
  }, 30_000);
});
