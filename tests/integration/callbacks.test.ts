import { readFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
let receiver: Server;
let hookUrl: string;
const rocket = await readFile(corpusPath("skimage-rocket.jpg"));
const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
/** Answers for the next deliveries, in order; 204 once they run out. */
const answers: number[] = [];

beforeAll(async () => {
  images = await startImageServer();
  images.setRoute("/rocket.jpg", { body: rocket, contentType: "image/jpeg" });
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body });
      res.writeHead(answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  hookUrl = `http://127.0.0.1:${port}`;
  stack = await startStack({
    env: { ALLOW_PRIVATE_SOURCES: images.origin, ALLOW_PRIVATE_CALLBACKS: `127.0.0.1:${port}` },
  });
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

const admin = basic(ADMIN.username, ADMIN.password);
const deliveriesTo = (path: string) => received.filter((r) => r.path === path);

/** The delivery checked as a receiver would: the Standard Webhooks signature over the raw body. */
function verified(delivery: { headers: IncomingHttpHeaders; body: string }) {
  const headers = Object.fromEntries(
    ["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => [h, String(delivery.headers[h])]),
  );
  return new Webhook(stack.config.WEBHOOK_SECRET).verify(delivery.body, headers) as Record<string, unknown>;
}

describe("callback_url", () => {
  it("POSTs the finished job, signed per Standard Webhooks, as GET /jobs/:id shows it", async () => {
    const posted = await http(`${stack.url}/convert`, {
      json: {
        data: { url: `${images.url}/rocket.jpg`, article_id: "hook-1", callback_url: `${hookUrl}/one` },
      },
      headers: { ...admin, prefer: "respond-async" },
    });
    expect(posted.status).toBe(202);
    await waitUntil("the webhook arrived", () => deliveriesTo("/one").length > 0, 60_000);
    const [delivery] = deliveriesTo("/one");
    const payload = verified(delivery ?? { headers: {}, body: "" });
    const job = await http(`${stack.url}/jobs/${posted.json.job_id}`, { headers: admin });
    expect(payload).toEqual({ type: "job.completed", ...job.json });
    expect(payload).toMatchObject({ state: "completed", result: { status: 201, article_id: "hook-1" } });
    // A tampered body fails verification.
    expect(() => verified({ headers: delivery?.headers ?? {}, body: `${delivery?.body} ` })).toThrow();
  });

  it("retries a receiver that fails, with the same webhook-id", async () => {
    answers.push(500);
    const batch = await http(`${stack.url}/convert/batch`, {
      json: {
        items: [{ url: `${images.url}/rocket.jpg`, article_id: "hook-2" }],
        callback_url: `${hookUrl}/retry`,
      },
      headers: admin,
    });
    expect(batch.status).toBe(202);
    await waitUntil("the webhook was delivered again", () => deliveriesTo("/retry").length >= 2, 90_000);
    const [first, second] = deliveriesTo("/retry");
    expect(second?.headers["webhook-id"]).toBe(first?.headers["webhook-id"]);
    expect(verified(second ?? { headers: {}, body: "" })).toMatchObject({
      state: "completed",
      article_id: "hook-2",
    });
  }, 120_000);

  it("refuses a callback to a private address (not allow-listed) at once, queueing nothing", async () => {
    for (const callback of ["http://127.0.0.1:9/hook", "http://10.0.0.1/hook", "http://[::1]:8080/x"]) {
      const res = await http(`${stack.url}/convert`, {
        json: { data: { url: `${images.url}/rocket.jpg`, article_id: "hook-3", callback_url: callback } },
        headers: { ...admin, prefer: "respond-async" },
      });
      expect(res.status, callback).toBe(403);
      expect(res.json).toMatchObject({ status: 403, code: "callback_forbidden" });
    }
    const batch = await http(`${stack.url}/convert/batch`, {
      json: { items: [{ url: `${images.url}/rocket.jpg`, article_id: "hook-3" }], callback_url: "ftp://x/y" },
      headers: admin,
    });
    expect(batch.status).toBe(400);
    expect(batch.json).toMatchObject({ code: "invalid_callback_url" });
    const jobs = await stack.sql`select count(*)::int as n from conversion_jobs where article_id = 'hook-3'`;
    expect(jobs[0]?.n).toBe(0);
  });

  it("is refused on a synchronous convert", async () => {
    const res = await http(`${stack.url}/convert`, {
      json: {
        data: { url: `${images.url}/rocket.jpg`, article_id: "hook-4", callback_url: `${hookUrl}/sync` },
      },
      headers: admin,
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 400, code: "invalid_body" });
  });
});
