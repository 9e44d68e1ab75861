import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Answer, basic, bearer, http } from "../support/http";
import { queueState, waitUntil } from "../support/queue-state";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
const HOG = { user_name: "hog", password: "hog-password-1" };
const OTHER = { user_name: "other", password: "other-password-1" };
let hogToken: string;
let otherToken: string;

/** Sources that send their headers and one byte, then nothing until the test ends them. */
interface Trickle {
  open: ServerResponse[];
  /** Requests whose connection the converter has closed. */
  closed: number;
}
function trickleRoute(path: string): Trickle {
  const state: Trickle = { open: [], closed: 0 };
  images.setRoute(path, (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "image/png", "content-length": "100000" });
    res.write(Buffer.alloc(1));
    state.open.push(res);
    req.socket.once("close", () => {
      state.closed++;
    });
  });
  return state;
}

beforeAll(async () => {
  images = await startImageServer();
  images.setRoute("/coffee.png", {
    body: await readFile(corpusPath("skimage-coffee.png")),
    contentType: "image/png",
  });
  // The default queue (2 running + 16 waiting, half of them per account). The rate floor and the
  // timeouts are pushed out of the way: here, only the share and the client's leaving free places.
  stack = await startStack({
    env: {
      ALLOW_PRIVATE_SOURCES: images.origin,
      FETCH_SLOW_GRACE_MS: "600000",
      FETCH_HEADERS_TIMEOUT_MS: "600000", // also the idle limit between body chunks
      FETCH_TOTAL_TIMEOUT_MS: "600000",
    },
  });
  for (const user of [HOG, OTHER]) {
    const made = await http(`${stack.url}/registration`, {
      json: user,
      headers: basic(ADMIN.username, ADMIN.password),
    });
    expect(made.status).toBe(201);
  }
  // Tokens: twenty requests at once must not queue behind twenty password hashes.
  hogToken = String((await http(`${stack.url}/auth`, { json: HOG })).json.token);
  otherToken = String((await http(`${stack.url}/auth`, { json: OTHER })).json.token);
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

const convert = (token: string, url: string, articleId: string) =>
  http(`${stack.url}/convert`, {
    json: { data: { url, article_id: articleId } },
    headers: bearer(token),
  });

async function storedArticles(prefix: string): Promise<number> {
  const [row] = await stack.sql<{ n: number }[]>`
    select count(*)::int as n from images where article_id like ${`${prefix}%`}`;
  return row?.n ?? -1;
}

describe("one account cannot starve the others", () => {
  it("a client that hangs up cancels its conversion: the source sees its connection closed, the place is freed", async () => {
    const hang = trickleRoute("/hang.png");
    const client = new AbortController();
    const leaving = request(`${stack.url}/convert`, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(otherToken) },
      body: JSON.stringify({ data: { url: `${images.url}/hang.png`, article_id: "LEFT-1" } }),
      signal: client.signal,
    }).catch((err: unknown) => err);
    await waitUntil("the source is being downloaded", async () => {
      const state = await queueState(stack.converter);
      return hang.open.length === 1 && state.fetching === 1;
    });

    client.abort();
    expect(await leaving).toMatchObject({ name: "AbortError" });
    // admin-auth aborts its call, the converter aborts its download: the source sees it go.
    await waitUntil("the source connection is closed", () => hang.closed === 1);
    await waitUntil("the place is free", async () => (await queueState(stack.converter)).fetching === 0);
    expect(await storedArticles("LEFT-")).toBe(0);
  });

  it("a slow-trickling account gets its share of the places, and another account's conversion still runs", async () => {
    const trickle = trickleRoute("/trickle.png");
    const answers: Answer[] = [];
    const hogs = Array.from({ length: 20 }, (_, i) =>
      convert(hogToken, `${images.url}/trickle.png`, `HOG-${i}`).then((a) => {
        answers.push(a);
        return a;
      }),
    );
    // Half of the 18 places: 9 downloads held, the other 11 refused at once, before any download.
    await waitUntil("the hog holds its share and the rest is refused", async () => {
      const state = await queueState(stack.converter);
      return answers.length === 11 && trickle.open.length === 9 && state.fetching === 9;
    });
    for (const refused of answers) {
      expect(refused.status).toBe(429);
      expect(refused.json).toMatchObject({ status: 429, code: "too_many_conversions" });
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    }

    const other = await convert(otherToken, `${images.url}/coffee.png`, "OTHER-1");
    expect(other.status).toBe(201);
    expect(other.json.article_id).toBe("OTHER-1");

    for (const res of trickle.open) res.destroy();
    const held = (await Promise.all(hogs)).filter((a) => a.status !== 429);
    expect(held).toHaveLength(9);
    for (const a of held) expect(a.status).toBe(502);
    expect(await storedArticles("HOG-")).toBe(0);
    await waitUntil("every place is free", async () => (await queueState(stack.converter)).fetching === 0);
  });
});
