import { readFile } from "node:fs/promises";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, http } from "../support/http";
import { nginxInstalled, type RunningNginx, startNginx } from "../support/nginx";
import { ADMIN, type Stack, startStack } from "../support/stack";
import { type Client, clientFrom } from "./support/from-address";
import { answeredOn, settledCount } from "./support/gateway-counter";

// nginx's limit_req on the expensive endpoints (nginx.conf, the template), in front of the real
// stack. The bucket is per client address: each test speaks from a loopback address of its own.

// limit_req lets 1 + burst requests through at once from an empty bucket (nginx.conf: burst 20).
const BURST = 20;
const ARTICLE = "RATE-1";

let stack: Stack;
let images: ImageServer;
let nginx: RunningNginx;
let token: string;
const clients: { close(): Promise<void> }[] = [];

function from(address: string): Client {
  const client = clientFrom(address);
  clients.push(client);
  return client.http;
}

beforeAll(async () => {
  if (!nginxInstalled) return;
  images = await startImageServer();
  images.setRoute("/kite.jpg", {
    body: await readFile(corpusPath("plasma-kite.jpg")),
    contentType: "image/jpeg",
  });
  // nginx runs on loopback: as in compose, admin-auth believes its X-Forwarded-For and no one else's.
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin, TRUST_PROXY: "127.0.0.1" } });
  nginx = await startNginx({ upstream: new URL(stack.url).host });
  // Set up directly on admin-auth: nginx's buckets stay untouched.
  const auth = await http(`${stack.url}/auth`, {
    json: { user_name: ADMIN.username, password: ADMIN.password },
  });
  token = auth.json.token as string;
  const posted = await http(`${stack.url}/convert`, {
    json: { data: { url: `${images.url}/kite.jpg`, article_id: ARTICLE } },
    headers: bearer(token),
  });
  expect(posted.status).toBe(201);
});
afterAll(async () => {
  if (!nginxInstalled) return;
  await Promise.all(clients.map((c) => c.close()));
  await nginx?.stop();
  await stack?.close();
  await images?.close();
});

/** The access log line is written just after the answer leaves: wait until it is there. */
async function accessLogLine(requestId: string): Promise<Record<string, unknown>> {
  let line: string | undefined;
  await waitUntil(`the access log has a line for ${requestId}`, async () => {
    line = (await nginx.logs()).access.split("\n").find((l) => l.includes(`"request_id":"${requestId}"`));
    return line !== undefined;
  });
  return JSON.parse(line ?? "");
}

/** `n` wrong logins at once, each for a name of its own (admin-auth's per-name limit stays out of it). */
function loginBurst(client: Client, n: number, tag: string) {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      client(`${nginx.url}/auth`, {
        json: { user_name: `nobody-${tag}-${i}`, password: "wrong-password" },
        headers: { "x-request-id": `${tag}-${i}` },
      }),
    ),
  );
}

describe.skipIf(!nginxInstalled)("nginx rate limits", () => {
  it("refuses a burst of logins beyond the limit itself, in JSON with Retry-After, before admin-auth", async () => {
    const client = from("127.0.0.2");
    const before = await answeredOn(stack.gatewayMetricsUrl, "/auth");
    const answers = await loginBurst(client, 3 * BURST, "burst");

    const passed = answers.filter((a) => a.status === 401);
    const refused = answers.filter((a) => a.status === 429);
    // Nothing else: admin-auth's wrong-password answer, or nginx's refusal.
    expect(passed.length + refused.length).toBe(answers.length);
    // Within the limit: a whole burst gets through.
    expect(passed.length).toBeGreaterThanOrEqual(BURST + 1);
    for (const a of passed) expect(a.json.code).toBe("invalid_credentials");
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) {
      const id = a.headers["x-request-id"] as string;
      expect(id).toMatch(/^burst-\d+$/);
      expect(a.headers["content-type"]).toBe("application/json");
      expect(a.headers["retry-after"]).toBe("1");
      expect(a.json).toEqual({
        status: 429,
        code: "too_many_requests",
        message: "too many requests from this address; retry later",
        request_id: id,
      });
    }
    // admin-auth answered exactly the ones that passed: the refused never reached it.
    expect((await settledCount(stack.gatewayMetricsUrl, "/auth", before + passed.length)) - before).toBe(
      passed.length,
    );

    const refusedId = refused[0]?.headers["x-request-id"] as string;
    expect(await accessLogLine(refusedId)).toMatchObject({ status: 429, uri: "/auth", upstream_addr: "" });
    const { error } = await nginx.logs();
    expect(error).toMatch(
      /\[warn\].*limiting requests, excess: .* by zone "belfoot_expensive", client: 127\.0\.0\.2/,
    );
  });

  it("lets the same client in again once Retry-After has passed", async () => {
    const client = from("127.0.0.3");
    const refused = (await loginBurst(client, 3 * BURST, "again")).find((a) => a.status === 429);
    expect(refused).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, Number(refused?.headers["retry-after"]) * 1000 + 100));
    const retry = await client(`${nginx.url}/auth`, {
      json: { user_name: ADMIN.username, password: ADMIN.password },
    });
    expect(retry.status).toBe(200);
  });

  it("shares one bucket between /auth, /registration, /convert and /img, and keeps it per address", async () => {
    const client = from("127.0.0.4");
    const endpoints = ["/auth", "/registration", "/convert", "/img"];
    // One wave, the endpoints taking turns; empty bodies, so admin-auth answers 400 without work.
    const answers = await Promise.all(
      Array.from({ length: 3 * BURST }, (_, i) => {
        const endpoint = endpoints[i % endpoints.length] as string;
        return client(`${nginx.url}${endpoint}`, { json: {} }).then((a) => ({ endpoint, ...a }));
      }),
    );
    expect(answers.filter((a) => a.status !== 429).length).toBeGreaterThanOrEqual(BURST + 1);
    for (const endpoint of endpoints) {
      const refused = answers.filter((a) => a.endpoint === endpoint && a.status === 429);
      expect(refused.length, endpoint).toBeGreaterThan(0);
      for (const a of refused) expect(a.json).toMatchObject({ status: 429, code: "too_many_requests" });
    }

    // Another client is not refused for this one's burst: admin-auth answers it.
    const other = await from("127.0.0.5")(`${nginx.url}/auth`, {
      json: { user_name: ADMIN.username, password: ADMIN.password },
    });
    expect(other.status).toBe(200);
  });

  it("does not limit reads, even from an address its logins have run out", async () => {
    const client = from("127.0.0.6");
    expect((await loginBurst(client, 3 * BURST, "reads")).some((a) => a.status === 429)).toBe(true);
    const statuses: number[] = [];
    // 300 reads, 10 at a time: more than a CMS page view, well below what the stack serves.
    for (let round = 0; round < 30; round++) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          client(`${nginx.url}${i % 5 === 0 ? "/health" : `/articles/${ARTICLE}`}`, {
            headers: bearer(token),
          }),
        ),
      );
      statuses.push(...batch.map((a) => a.status));
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(300);
  });

  it("passes admin-auth's own 429 (failed logins) through untouched", async () => {
    const client = from("127.0.0.7");
    // admin-auth makes a name, known or not, wait after 3 failures in a row from one address
    // (LOGIN_DELAY_AFTER_FAILURES): inside nginx's burst.
    let last = await client(`${nginx.url}/auth`, { json: { user_name: "locked-name", password: "wrong" } });
    for (let i = 0; i < 11 && last.status !== 429; i++) {
      last = await client(`${nginx.url}/auth`, { json: { user_name: "locked-name", password: "wrong" } });
    }
    expect(last.status).toBe(429);
    expect(last.json.code).toBe("too_many_failed_logins");
  });

  it("counts failed logins per client address behind nginx: another client's right password gets in", async () => {
    // The attacker's failures are counted under its own address, which admin-auth learns from
    // nginx's X-Forwarded-For (TRUST_PROXY): were it nginx's address, the CMS would share the wait.
    const attacker = from("127.0.0.8");
    let last = await attacker(`${nginx.url}/auth`, {
      json: { user_name: ADMIN.username, password: "wrong" },
    });
    for (let i = 0; i < 11 && last.status !== 429; i++) {
      last = await attacker(`${nginx.url}/auth`, { json: { user_name: ADMIN.username, password: "wrong" } });
    }
    expect(last.status).toBe(429);
    const cms = await from("127.0.0.9")(`${nginx.url}/auth`, {
      json: { user_name: ADMIN.username, password: ADMIN.password },
    });
    expect(cms.status).toBe(200);
  });
});
