import { readFile } from "node:fs/promises";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Answer, basic, bearer, http } from "../support/http";
import { OpenApiConformance, type OpenApiDocument } from "../support/openapi-conformance";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
let api: OpenApiConformance;
const coffee = await readFile(corpusPath("skimage-coffee.png"));
const admin = () => basic(ADMIN.username, ADMIN.password);

beforeAll(async () => {
  images = await startImageServer();
  images.setRoute("/coffee.png", { body: coffee, contentType: "image/png" });
  images.setRoute("/page.html", { body: Buffer.from("<html>no image</html>"), contentType: "text/html" });
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin, LOG_LEVEL: "info" } });
  const doc = await http(`${stack.url}/openapi.json`);
  expect(doc.status).toBe(200);
  api = new OpenApiConformance(doc.json as unknown as OpenApiDocument);
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
});

type CallOptions = Parameters<typeof http>[1] & { method?: string };

/** One real request, checked against the published document, with the status this case expects. */
async function call(expected: number, path: string, opts: CallOptions = {}): Promise<Answer> {
  const method = opts.method ?? (opts.json === undefined && opts.body === undefined ? "GET" : "POST");
  const answer = await http(`${stack.url}${path}`, { ...opts, method });
  expect(answer.status, `${method} ${path}: ${answer.body.toString("utf8").slice(0, 300)}`).toBe(expected);
  expect(api.check(method, path, answer)).toEqual([]);
  return answer;
}

describe("OpenAPI document vs real answers", () => {
  it("documents every public route with its success and error answers", () => {
    const operations = api.operations();
    for (const op of [
      "POST /convert",
      "GET /articles",
      "GET /articles/{article_id}",
      "GET /articles/{article_id}/meta",
      "DELETE /articles/{article_id}",
      "POST /registration",
      "POST /auth",
      "POST /img",
      "GET /img/{id}",
      "GET /{id}",
      "DELETE /img/{id}",
      "GET /info",
      "GET /error",
      "GET /health",
      "GET /ready",
      "POST /convert/batch",
      "GET /jobs/{id}",
    ]) {
      expect(operations).toContain(op);
    }
    // Internal and tooling routes stay out of the public document.
    expect(operations.filter((op) => /metrics|openapi|docs/.test(op))).toEqual([]);
  });

  it("health and readiness", async () => {
    await call(200, "/health");
    await call(200, "/ready");
  });

  it("accounts: registration and tokens", async () => {
    await call(201, "/registration", {
      json: { user_name: "oa-user", password: "oa-password-1" },
      headers: admin(),
    });
    await call(409, "/registration", {
      json: { user_name: "oa-user", password: "oa-password-1" },
      headers: admin(),
    });
    await call(400, "/registration", {
      json: { user_name: "x", password: "oa-password-1" },
      headers: admin(),
    });
    await call(401, "/registration", { json: { user_name: "oa-other", password: "oa-password-1" } });
    await call(200, "/auth", { json: { user_name: "oa-user", password: "oa-password-1" } });
    await call(401, "/auth", { json: { user_name: "oa-user", password: "wrong-password" } });
    await call(400, "/auth", { json: { user_name: "oa-user" } });
  });

  it("conversion by URL and article reads", async () => {
    const data = (url: string, article_id = "OA-1") => ({ user: ADMIN, data: { url, article_id } });
    const created = await call(201, "/convert", { json: data(`${images.url}/coffee.png`) });
    await call(200, "/convert", { json: data(`${images.url}/coffee.png`) });
    await call(400, "/convert", { json: { user: ADMIN, data: { url: 42 } } });
    await call(401, "/convert", {
      json: { user: { ...ADMIN, password: "nope-nope-nope" }, data: data("x").data },
    });
    await call(422, "/convert", { json: data(`${images.url}/page.html`, "OA-2") });
    await call(403, "/convert", { json: data("http://10.0.0.1/a.png", "OA-3") });

    const etag = created.headers.etag ?? `"${created.json.sha256}"`;
    await call(200, "/articles/OA-1", { headers: admin() });
    await call(200, "/articles/OA-1", { headers: admin(), method: "HEAD" });
    await call(304, "/articles/OA-1", { headers: { ...admin(), "if-none-match": etag } });
    await call(404, "/articles/OA-none", { headers: admin() });
    await call(401, "/articles/OA-1");
    await call(200, "/articles/OA-1/meta", { headers: admin() });
    // A limit above what the file stores: the last page, whatever the other tests stored.
    const page = await call(200, "/articles?limit=200", { headers: admin() });
    expect(page.json.next_cursor).toBeNull();
    await call(400, "/articles?limit=0", { headers: admin() });
    await call(400, "/articles?cursor=not-a-cursor", { headers: admin() });
    await call(401, "/articles");
    const link = new URL(
      (await call(200, "/articles/OA-1/link?ttl=60", { headers: admin() })).json.url as string,
    );
    await call(200, `${link.pathname}${link.search}`);
    await call(403, `${link.pathname}${link.search.replace(/signature=[^&]+/, "signature=forged")}`);
    await call(400, "/articles/OA-1/link?ttl=0", { headers: admin() });
    await call(404, "/articles/OA-none/meta", { headers: admin() });
    await call(200, "/articles/OA-1", { headers: admin(), method: "DELETE" });
    await call(404, "/articles/OA-1", { headers: admin(), method: "DELETE" });
    await call(401, "/articles/OA-1", { method: "DELETE" });
  });

  it("asynchronous conversions and their jobs", async () => {
    const async = { ...admin(), prefer: "respond-async" };
    const data = { url: `${images.url}/coffee.png`, article_id: "OA-async" };
    const queued = await call(202, "/convert", { json: { data }, headers: async });
    await call(400, "/convert", { json: { data: { ...data, url: "ftp://x/y.png" } }, headers: async });
    const batch = await call(202, "/convert/batch", {
      json: { items: [{ url: `${images.url}/coffee.png`, article_id: "OA-b1" }, { url: "nope" }] },
      headers: admin(),
    });
    await call(400, "/convert/batch", { json: { items: [] }, headers: admin() });
    await call(401, "/convert/batch", { json: { items: [data] } });
    for (const id of [queued.json.job_id, (batch.json.items as { job_id: string }[])[0]?.job_id]) {
      await call(200, `/jobs/${id}`, { headers: admin() });
    }
    await call(404, "/jobs/00000000-0000-4000-8000-000000000000", { headers: admin() });
    await call(401, `/jobs/${queued.json.job_id}`);
  });

  it("uploads and reads by id", async () => {
    const login = await call(200, "/auth", { json: { user_name: ADMIN.username, password: ADMIN.password } });
    const token = bearer(login.json.token as string);
    const stored = await call(201, "/img", {
      json: { img: coffee.toString("base64"), x: 200 },
      headers: token,
    });
    await call(400, "/img", { json: { img: "%%% not base64 %%%" }, headers: token });
    await call(422, "/img", { json: { img: Buffer.from("plain text").toString("base64") }, headers: token });
    await call(401, "/img", { json: { img: coffee.toString("base64") } });
    const id = stored.json.id as number;
    await call(200, `/img/${id}`, { headers: token });
    await call(304, `/img/${id}`, { headers: { ...token, "if-none-match": `"${stored.json.sha256}"` } });
    await call(404, "/img/999999", { headers: token });
    await call(200, `/${id}`, { headers: token });

    await call(201, "/registration", {
      json: { user_name: "oa-reader", password: "oa-password-2" },
      headers: admin(),
    });
    const other = await call(200, "/auth", { json: { user_name: "oa-reader", password: "oa-password-2" } });
    await call(403, `/img/${id}`, { headers: bearer(other.json.token as string) });
    await call(403, "/info", { headers: bearer(other.json.token as string) });
    await call(403, `/img/${id}`, { headers: bearer(other.json.token as string), method: "DELETE" });
    await call(200, `/img/${id}`, { headers: token, method: "DELETE" });
    await call(400, "/img/abc", { headers: token, method: "DELETE" });
  });

  it("logs, as text and NDJSON", async () => {
    await call(200, "/info?lines=5", { headers: admin() });
    await call(200, "/info?format=ndjson&lines=5", { headers: admin() });
    await call(200, "/error", { headers: admin() });
    await call(400, "/info?lines=0", { headers: admin() });
  });

  it("every documented operation was exercised with its success answer", () => {
    const successes = [...api.exercised].filter((e) => / 2\d\d$/.test(e)).map((e) => e.replace(/ \d+$/, ""));
    for (const op of api.operations()) expect(successes).toContain(op);
    expect(api.problems).toEqual([]);
  });
});
