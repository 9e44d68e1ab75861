import fc from "fast-check";
import { request as send } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http } from "../support/http";
import { type Stack, startStack } from "../support/stack";

let stack: Stack;
const NUM_RUNS = 150;

beforeAll(async () => {
  stack = await startStack({
    env: { LOGIN_DELAY_AFTER_FAILURES: "100000", LOGIN_FAILURES_PER_IP: "100000" },
  });
});
afterAll(async () => stack?.close());

/** Printable ASCII: what an HTTP client can put in a header value. */
const headerText = fc.string({ unit: "grapheme-ascii", maxLength: 200 });
const b64 = (text: string) => Buffer.from(text).toString("base64");
const b64url = (text: string) => Buffer.from(text).toString("base64url");

const authorization = fc.option(
  fc.oneof(
    fc
      .tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }))
      .map(([u, p]) => `Basic ${b64(`${u}:${p}`)}`),
    headerText.map((t) => `Basic ${t}`),
    headerText.map((t) => `Bearer ${t}`),
    fc
      .tuple(fc.jsonValue(), fc.jsonValue(), headerText)
      .map(([h, p, s]) => `Bearer ${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(p))}.${b64url(s)}`),
    fc
      .tuple(fc.constantFrom("HS256", "none", "RS256"), fc.jsonValue())
      .map(
        ([alg, p]) => `Bearer ${b64url(JSON.stringify({ alg, typ: "JWT" }))}.${b64url(JSON.stringify(p))}.`,
      ),
    headerText,
  ),
  { nil: undefined },
);

const contentType = fc.option(
  fc.oneof(
    { weight: 4, arbitrary: fc.constant("application/json") },
    fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/octet-stream",
      "application/json; charset=latin1",
    ),
    headerText,
  ),
  { nil: undefined },
);

const text = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 }));
const nonEmpty = fc.string({ minLength: 1, maxLength: 100 });
/** Bodies that look more and more like the real ones, so validation and auth get exercised too. */
const body = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  text,
  fc
    .record({
      user: fc.option(fc.record({ user_name: fc.jsonValue(), password: fc.jsonValue() }), { nil: undefined }),
      data: fc.option(fc.record({ url: fc.jsonValue(), article_id: fc.jsonValue() }), { nil: undefined }),
    })
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      user_name: fc.oneof(text, fc.jsonValue()),
      password: fc.oneof(text, fc.jsonValue()),
      img: fc.oneof(text.map(b64), fc.jsonValue()),
      x: fc.jsonValue(),
      y: fc.jsonValue(),
      quality: fc.jsonValue(),
    })
    .map((v) => JSON.stringify(v)),
  // Well-formed for the schemas, so the credentials checks and the routes themselves run.
  fc
    .record({
      user: fc.record({ username: nonEmpty, password: nonEmpty }),
      data: fc.record({ url: nonEmpty, article_id: fc.stringMatching(/^[A-Za-z0-9._:~-]{1,40}$/) }),
    })
    .map((v) => JSON.stringify(v)),
  fc.record({ user_name: text, password: text }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        img: nonEmpty.map(b64),
        x: fc.integer({ min: 1, max: 100_000 }),
        y: fc.integer({ min: 1, max: 100_000 }),
        quality: fc.integer({ min: 1, max: 100 }),
      },
      { requiredKeys: ["img"] },
    )
    .map((v) => JSON.stringify(v)),
);

const request = fc.record({
  authorization,
  contentType,
  body: fc.option(body, { nil: undefined }),
});

const safeId = fc.stringMatching(/^[A-Za-z0-9._:~-]{1,40}$/);
const anyId = fc.string({ maxLength: 60 }).map((s) => encodeURIComponent(s) || "x");
const digits = fc.stringMatching(/^\d{1,30}$/);

interface Route {
  name: string;
  method: "GET" | "POST" | "HEAD";
  path: fc.Arbitrary<string>;
}
const routes: Route[] = [
  { name: "POST /convert", method: "POST", path: fc.constant("/convert") },
  { name: "POST /registration", method: "POST", path: fc.constant("/registration") },
  { name: "POST /auth", method: "POST", path: fc.constant("/auth") },
  { name: "POST /img", method: "POST", path: fc.constant("/img") },
  { name: "GET /articles/:id", method: "GET", path: safeId.map((id) => `/articles/${id}`) },
  { name: "HEAD /articles/:id", method: "HEAD", path: anyId.map((id) => `/articles/${id}`) },
  { name: "GET /articles/x/meta", method: "GET", path: fc.constant("/articles/x/meta") },
  { name: "GET /img/:id", method: "GET", path: fc.oneof(anyId, digits).map((id) => `/img/${id}`) },
  { name: "GET /:digits", method: "GET", path: digits.map((d) => `/${d}`) },
  { name: "GET /info", method: "GET", path: fc.constant("/info") },
  { name: "GET /error", method: "GET", path: fc.constant("/error") },
];

describe("random input at every gateway route never makes a 5xx", () => {
  for (const route of routes) {
    it(route.name, async () => {
      const seen = new Set<number>();
      await fc.assert(
        fc.asyncProperty(route.path, request, async (path, req) => {
          const headers: Record<string, string> = {};
          if (req.authorization !== undefined) headers.authorization = req.authorization;
          if (req.contentType !== undefined) headers["content-type"] = req.contentType;
          const withBody = route.method !== "HEAD" && req.body !== undefined;
          const res = await send(`${stack.url}${path}`, {
            method: route.method,
            headers,
            body: withBody ? req.body : null,
          });
          const raw = await res.body.text();
          seen.add(res.statusCode);
          expect(res.statusCode, `${route.method} ${path}`).toBeLessThan(500);
          if (res.statusCode >= 400 && route.method !== "HEAD") {
            expect(String(res.headers["content-type"])).toMatch(/^application\/(problem\+)?json/);
            const json = JSON.parse(raw) as { status?: unknown; code?: unknown };
            expect(typeof json.code).toBe("string");
            expect(json.status).toBe(res.statusCode);
          }
        }),
        { numRuns: NUM_RUNS },
      );
      // The requests got past parsing and validation: the credentials checks answered too.
      expect([...seen]).toContain(route.name === "POST /auth" ? 401 : seen.has(429) ? 429 : 401);
    });
  }

  it("the gateway is still healthy afterwards", async () => {
    const res = await http(`${stack.url}/health`);
    expect(res.status).toBe(200);
  });
});
