import { readFile } from "node:fs/promises";
import { request, type ServerResponse } from "node:http";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http } from "../support/http";
import { queueState, waitUntil } from "../support/queue-state";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;

beforeAll(async () => {
  images = await startImageServer();
  images.setRoute("/big.jpg", {
    body: await readFile(corpusPath("plasma-path.jpg")),
    contentType: "image/jpeg",
  });
  // One slot and one waiting place, both for one account: the third simultaneous job must be turned away.
  stack = await startStack({
    env: {
      ALLOW_PRIVATE_SOURCES: images.origin,
      COMPRESS_CONCURRENCY: "1",
      COMPRESS_QUEUE_MAX: "1",
      COMPRESS_PLACES_PER_ACCOUNT: "2",
      // A stalled download is held until the test releases it (or its client leaves), never timed out.
      FETCH_HEADERS_TIMEOUT_MS: "600000",
      FETCH_SLOW_GRACE_MS: "600000",
    },
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

  /** Two conversions whose sources send nothing until released: their downloads hold both places. */
  async function holdBothPlaces(body: Buffer, prefix: string) {
    const pending: (() => void)[] = [];
    images.setRoute("/slow.png", (_req, res) => {
      pending.push(() => res.writeHead(200, { "content-type": "image/png" }).end(body));
    });
    const done = [0, 1].map((i) =>
      http(`${stack.url}/convert`, {
        json: { user: ADMIN, data: { url: `${images.url}/slow.png`, article_id: `${prefix}-${i}` } },
      }),
    );
    await waitUntil("both sources are being downloaded", () => pending.length === 2);
    return async () => {
      for (const release of pending) release();
      return (await Promise.all(done)).map((a) => a.status);
    };
  }

  it("turns a job away before downloading its source while slow downloads hold every place", async () => {
    const body = await readFile(corpusPath("skimage-coffee.png"));
    images.setRoute("/other.png", { body, contentType: "image/png" });
    const release = await holdBothPlaces(body, "SLOW");

    const turned = await http(`${stack.url}/convert`, {
      json: { user: ADMIN, data: { url: `${images.url}/other.png`, article_id: "TURNED-AWAY" } },
    });
    expect(turned.status).toBe(503);
    expect(turned.json.code).toBe("busy");
    expect(images.hits("/other.png")).toBe(0);

    expect(await release()).toEqual([201, 201]);
    const after = await http(`${stack.url}/convert`, {
      json: { user: ADMIN, data: { url: `${images.url}/other.png`, article_id: "AFTER-SLOW" } },
    });
    expect(after.status).toBe(201);
    const rows = await stack.sql<{ a: string }[]>`
      select article_id as a from images where article_id in ('SLOW-0', 'SLOW-1', 'TURNED-AWAY', 'AFTER-SLOW')
      order by article_id`;
    expect(rows.map((r) => r.a)).toEqual(["AFTER-SLOW", "SLOW-0", "SLOW-1"]);
  });

  it("turns an upload away before reading its body while every place is held", async () => {
    const release = await holdBothPlaces(await readFile(corpusPath("skimage-astronaut.png")), "HELD");
    const before = await stack.sql<{ n: number }[]>`select count(*)::int as n from images`;
    // Straight to the converter, as admin-auth forwards an upload: a body announced at 10 MB of which
    // only 1 KB ever comes. The answer must not wait for the rest.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(`${stack.converterUrl}/uploads`);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: {
            "content-type": "application/octet-stream",
            "content-length": String(10_000_000),
            "x-internal-token": stack.config.INTERNAL_TOKEN,
          },
        },
        (res) => {
          let text = "";
          res.on("data", (c) => {
            text += c;
          });
          res.on("end", () => {
            req.destroy(); // the unfinished body would keep the connection (and the stack's close) waiting
            resolve({ status: res.statusCode ?? 0, body: text });
          });
        },
      );
      req.on("error", reject);
      // The rest never comes: an answer that waited for it would never arrive (the test's timeout).
      req.write(Buffer.alloc(1024));
    });
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body).code).toBe("busy");
    expect(await release()).toEqual([201, 201]);
    const after = await stack.sql<{ n: number }[]>`select count(*)::int as n from images`;
    expect(after[0]?.n).toBe((before[0]?.n ?? 0) + 2);
  });

  it("relays the converter's early 503 to a large POST /img while every place is held", async () => {
    const release = await holdBothPlaces(await readFile(corpusPath("skimage-coffee.png")), "BUSY-IMG");
    // 12 MB of base64: the converter answers before admin-auth has sent it all.
    const img = Buffer.alloc(9_000_000, 7).toString("base64");
    const basic = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64")}`;
    const answer = await http(`${stack.url}/img`, { json: { img }, headers: { authorization: basic } });
    expect(answer.status).toBe(503);
    expect(answer.json.code).toBe("busy");
    expect(Number(answer.headers["retry-after"])).toBeGreaterThan(0);
    expect(await release()).toEqual([201, 201]);
  });

  it("frees the places of conversions whose clients left (nothing stored), and one refused before its handler", async () => {
    const body = await readFile(corpusPath("skimage-coffee.png"));
    const pending: ServerResponse[] = [];
    let closed = 0;
    images.setRoute("/gone.png", (req, res) => {
      res.writeHead(200, { "content-type": "image/png", "content-length": String(body.length) });
      res.write(body.subarray(0, 1));
      pending.push(res);
      req.socket.once("close", () => {
        closed++;
      });
    });
    images.setRoute("/next.png", { body, contentType: "image/png" });
    // Two conversions straight to the converter whose clients leave while their sources download.
    const url = new URL(`${stack.converterUrl}/convert`);
    const leaving = [0, 1].map((i) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { "content-type": "application/json", "x-internal-token": stack.config.INTERNAL_TOKEN },
      });
      req.on("error", () => {});
      req.end(JSON.stringify({ data: { url: `${images.url}/gone.png`, article_id: `GONE-${i}` } }));
      return req;
    });
    await waitUntil("both sources are being downloaded", () => pending.length === 2);
    for (const req of leaving) req.destroy();

    // Their downloads are cancelled: the source sees both connections go, and the places come back.
    await waitUntil("both source connections are closed", () => closed === 2);
    await waitUntil("both places are free", async () => (await queueState(stack.converter)).fetching === 0);
    const stored = await http(`${stack.url}/convert`, {
      json: { user: ADMIN, data: { url: `${images.url}/next.png`, article_id: "NEXT-1" } },
    });
    expect(stored.status).toBe(201);
    const [gone] = await stack.sql<{ n: number }[]>`
      select count(*)::int as n from images where article_id in ('GONE-0', 'GONE-1')`;
    expect(gone?.n).toBe(0);

    // An upload refused before its handler ran (a bad query) gives its place back too.
    for (let i = 0; i < 3; i++) {
      const bad = await http(`${stack.converterUrl}/uploads?max_width=0`, {
        body: body,
        headers: {
          "content-type": "application/octet-stream",
          "x-internal-token": stack.config.INTERNAL_TOKEN,
        },
      });
      expect(bad.status).toBe(400);
    }
    const again = await http(`${stack.url}/convert`, {
      json: { user: ADMIN, data: { url: `${images.url}/next.png`, article_id: "NEXT-2" } },
    });
    expect(again.status).toBe(201);
  });
});
