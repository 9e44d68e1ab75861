import { readFile } from "node:fs/promises";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, clientFrom } from "../e2e/support/from-address";
import { type Answer, basic, http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

// Failed logins are counted per (user name, client address), with a per-address cap. admin-auth runs
// with its default TRUST_PROXY (nobody): the peer address is the client's, and each client below
// speaks from a loopback address of its own (all of 127.0.0.0/8 is local on Linux).

const PER_ADDRESS = 12;
const EDITOR = { username: "editor", password: "editor-password-1" };

let stack: Stack;
let images: ImageServer;
const clients: { close(): Promise<void> }[] = [];

function from(address: string): Client {
  const client = clientFrom(address);
  clients.push(client);
  return client.http;
}

beforeAll(async () => {
  images = await startImageServer();
  images.setRoute("/small.png", {
    body: await readFile(corpusPath("skimage-palette.png")),
    contentType: "image/png",
  });
  stack = await startStack({
    env: {
      ALLOW_PRIVATE_SOURCES: images.origin,
      LOGIN_DELAY_AFTER_FAILURES: "3",
      LOGIN_FAILURES_PER_IP: String(PER_ADDRESS),
    },
  });
  const created = await http(`${stack.url}/registration`, {
    json: { user_name: EDITOR.username, password: EDITOR.password },
    headers: basic(ADMIN.username, ADMIN.password),
  });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await stack?.close();
  await images?.close();
});

const login = (client: Client, user_name: string, password: string) =>
  client(`${stack.url}/auth`, { json: { user_name, password } });
const retryAfter = (answer: Answer) => Number(answer.headers["retry-after"]);
const pause = () => new Promise((resolve) => setTimeout(resolve, 100));

describe("an attacker guessing one user's password", () => {
  it("waits longer after each failure from its own address, while the CMS elsewhere logs in", async () => {
    const attacker = from("127.0.0.21");
    // Three failures in a row are answered at once, then the wait starts.
    for (let i = 0; i < 3; i++) expect((await login(attacker, "editor", `guess-${i}`)).status).toBe(401);

    // Many more guesses: each one the address is let through adds a failure and doubles the wait,
    // which the first refusal after it tells.
    const waits: number[] = [];
    const deadline = Date.now() + 60_000;
    let guesses = 0;
    let refusedSinceFailure = false;
    while (waits.length < 3 && Date.now() < deadline) {
      const answer = await login(attacker, "EDITOR", `guess-more-${guesses++}`);
      if (answer.status === 429) {
        expect(answer.json).toMatchObject({ status: 429, code: "too_many_failed_logins" });
        if (!refusedSinceFailure) waits.push(retryAfter(answer));
        refusedSinceFailure = true;
        await pause();
      } else {
        expect(answer.status).toBe(401);
        refusedSinceFailure = false;
      }
    }
    // 1 s, 2 s, 4 s (rounded up from what is left of each when the refusal is sent).
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBe(1);
    expect(waits[1]).toBeGreaterThan(waits[0] as number);
    expect(waits[2]).toBeGreaterThan(waits[1] as number);

    // The CMS, on another address, with the right password: never refused.
    const cms = from("127.0.0.22");
    const auth = await login(cms, "editor", EDITOR.password);
    expect(auth.status).toBe(200);
    const convert = await cms(`${stack.url}/convert`, {
      json: { user: EDITOR, data: { url: `${images.url}/small.png`, article_id: "LOCKOUT-1" } },
    });
    expect(convert.status).toBe(201);
    const viaBasic = await cms(`${stack.url}/articles/LOCKOUT-1/meta`, {
      headers: basic("editor", EDITOR.password),
    });
    expect(viaBasic.status).toBe(200);

    // The attacker's own address waits, even with the right password: for a token, and for a read
    // whose pair the credential cache recognises (the CMS's read above put it there).
    const own = await login(attacker, "editor", EDITOR.password);
    expect(own.status).toBe(429);
    expect(retryAfter(own)).toBeGreaterThan(0);
    const ownRead = await attacker(`${stack.url}/articles/LOCKOUT-1/meta`, {
      headers: basic("editor", EDITOR.password),
    });
    expect(ownRead.status).toBe(429);
  }, 90_000);

  it("a success ends the run of failures for that name and address", async () => {
    const typist = from("127.0.0.24");
    for (let i = 0; i < 2; i++) expect((await login(typist, "editor", `typo-${i}`)).status).toBe(401);
    expect((await login(typist, "editor", EDITOR.password)).status).toBe(200);
    // Without the reset, the third failure would start the wait and the fourth be refused.
    for (let i = 0; i < 2; i++) expect((await login(typist, "editor", `typo-again-${i}`)).status).toBe(401);
    expect((await login(typist, "editor", EDITOR.password)).status).toBe(200);
  });

  it("refuses a recognised read from an address whose wait began after it last read", async () => {
    const readMeta = (client: Client) =>
      client(`${stack.url}/articles/LOCKOUT-WAIT/meta`, { headers: basic("editor", EDITOR.password) });
    expect((await readMeta(from("127.0.0.29"))).status).toBe(404);
    const reader = from("127.0.0.30");
    expect((await readMeta(reader)).status).toBe(404);
    // The third failure in a row starts a 1 s wait for this name from this address.
    for (let i = 0; i < 3; i++) expect((await login(reader, "editor", `miss-${i}`)).status).toBe(401);
    expect((await readMeta(reader)).status).toBe(429);
  });

  it("so does a read whose password the credential cache recognises", async () => {
    const readMeta = (client: Client) =>
      client(`${stack.url}/articles/LOCKOUT-RUN/meta`, { headers: basic("editor", EDITOR.password) });
    // Another address verifies the pair with argon2, so the typist's read below is recognised.
    expect((await readMeta(from("127.0.0.27"))).status).toBe(404);
    const typist = from("127.0.0.28");
    for (let i = 0; i < 2; i++) expect((await login(typist, "editor", `slip-${i}`)).status).toBe(401);
    expect((await readMeta(typist)).status).toBe(404);
    for (let i = 0; i < 2; i++) expect((await login(typist, "editor", `slip-again-${i}`)).status).toBe(401);
    expect((await login(typist, "editor", EDITOR.password)).status).toBe(200);
  });
});

describe("password spraying: one address, many names", () => {
  it("is capped per address; other addresses are not affected", async () => {
    const sprayer = from("127.0.0.23");
    const elsewhere = from("127.0.0.25");
    const readMeta = (client: Client) =>
      client(`${stack.url}/articles/SPRAYED/meta`, { headers: basic("editor", EDITOR.password) });
    // The read from elsewhere verifies the pair, so the sprayer's reads are recognised without
    // argon2; its first, before any failure, finds nothing to refuse.
    expect((await readMeta(elsewhere)).status).toBe(404);
    expect((await readMeta(sprayer)).status).toBe(404);
    let failures = 0;
    let last = await login(sprayer, "sprayed-0", "Summer2026!");
    while (last.status === 401 && failures < 10 * PER_ADDRESS) {
      failures++;
      last = await login(sprayer, `sprayed-${failures}`, "Summer2026!");
    }
    expect(failures).toBe(PER_ADDRESS);
    expect(last.status).toBe(429);
    expect(retryAfter(last)).toBeGreaterThan(1);
    // The address is refused whatever the name, including one that would be right.
    expect((await login(sprayer, "editor", EDITOR.password)).status).toBe(429);
    expect((await login(elsewhere, "editor", EDITOR.password)).status).toBe(200);
    // Also a pair the credential cache recognises, though the same read passed before the spray.
    expect((await readMeta(elsewhere)).status).toBe(404);
    expect((await readMeta(sprayer)).status).toBe(429);
  });
});

describe("X-Forwarded-For from a peer that is not a trusted proxy", () => {
  it("does not change the address failures are counted under", async () => {
    const client = from("127.0.0.26");
    let failures = 0;
    let last: Answer | undefined;
    while (failures <= 2 * PER_ADDRESS) {
      last = await client(`${stack.url}/auth`, {
        json: { user_name: `forwarded-${failures}`, password: "wrong-password" },
        headers: { "x-forwarded-for": `198.51.100.${failures + 1}` },
      });
      if (last.status !== 401) break;
      failures++;
    }
    expect(failures).toBe(PER_ADDRESS);
    expect(last?.status).toBe(429);
  });
});
