import { readFile } from "node:fs/promises";
import path from "node:path";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";
import { waitUntil } from "@belfoot/testkit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
let images: ImageServer;
/** A second local server whose port is NOT allow-listed. */
let hidden: ImageServer;
const coffee = await readFile(corpusPath("skimage-coffee.png"));

beforeAll(async () => {
  images = await startImageServer();
  hidden = await startImageServer();
  images.setRoute("/coffee.png", { body: coffee, contentType: "image/png" });
  hidden.setRoute("/secret.png", { body: coffee, contentType: "image/png" });
  images.setRoute("/to-hidden", {
    body: Buffer.alloc(0),
    status: 302,
    headers: { location: `${hidden.url}/secret.png` },
  });
  images.setRoute("/loop-a", { body: Buffer.alloc(0), status: 302, headers: { location: "/loop-b" } });
  images.setRoute("/loop-b", { body: Buffer.alloc(0), status: 302, headers: { location: "/loop-a" } });
  // Info logs written: a refusal's detail goes to the converter's log, not to the caller.
  stack = await startStack({ env: { ALLOW_PRIVATE_SOURCES: images.origin }, logLevel: "info" });
});
afterAll(async () => {
  await stack?.close();
  await images?.close();
  await hidden?.close();
});

let seq = 0;
const convert = (url: string) =>
  http(`${stack.url}/convert`, { json: { user: ADMIN, data: { url, article_id: `ssrf-${++seq}` } } });

async function storedImages(): Promise<number> {
  const [row] = await stack.sql<{ n: number }[]>`select count(*)::int as n from images`;
  return row?.n ?? -1;
}

describe("SSRF through POST /convert", () => {
  const forbidden = [
    "http://127.0.0.1/x.png",
    "http://localhost/x.png",
    "http://[::1]/x.png",
    "http://0.0.0.0/x.png",
    "http://10.0.0.1/x.png",
    "http://172.16.0.1/x.png",
    "http://192.168.1.1/x.png",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fc00::1]/x.png",
    "http://[fe80::1]/x.png",
    "http://[::ffff:127.0.0.1]/x.png",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
  ];
  it.each(forbidden)("refuses %s with 403 source_forbidden and stores nothing", async (url) => {
    const before = await storedImages();
    const res = await convert(url);
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ status: 403, code: "source_forbidden" });
    expect(await storedImages()).toBe(before);
  });

  it("says 'a private address' without the address a name resolved to, which goes to the converter's log", async () => {
    const res = await convert(`http://localhost:${hidden.url.split(":").at(-1)}/secret.png`);
    expect(res.json).toMatchObject({ status: 403, code: "source_forbidden" });
    expect(res.json.message).toBe(
      "source host localhost resolves to a private address, which is not allowed",
    );
    expect(res.body.toString()).not.toMatch(/127\.0\.0\.1|::1|loopback/);
    expect(hidden.hits("/secret.png")).toBe(0);
    const log = path.join(stack.config.LOG_DIR, "img-converter", "info.log");
    const logged = async () => {
      const lines = (await readFile(log, "utf8").catch(() => "")).split("\n").filter(Boolean);
      return lines.map((l) => JSON.parse(l)).find((l) => l.reqId === res.json.request_id && l.source_address);
    };
    let entry: Record<string, unknown> | undefined;
    await waitUntil("the converter logs the refused source", async () => {
      entry = await logged();
      return entry !== undefined;
    });
    expect(entry).toMatchObject({
      source_host: "localhost",
      source_range: "loopback",
      code: "source_forbidden",
    });
    expect(["127.0.0.1", "::1"]).toContain(entry?.source_address);
  });

  it.each([
    "http://93.184.215.14:25/x.png",
    "http://93.184.215.14:6379/",
    "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:8443/x.png",
  ])("refuses a public host on a port other than 80/443: %s", async (url) => {
    const before = await storedImages();
    const res = await convert(url);
    expect(res.json).toMatchObject({ status: 403, code: "source_forbidden" });
    expect(res.json.message).toMatch(/^source port \d+ is not allowed/);
    expect(await storedImages()).toBe(before);
  });

  const badSchemes = [
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
    "ftp://127.0.0.1/x.png",
    "data:image/png;base64,iVBORw0KGgo=",
    "javascript:alert(1)",
  ];
  it.each(badSchemes)("refuses %s with 400 invalid_url and stores nothing", async (url) => {
    const before = await storedImages();
    const res = await convert(url);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 400, code: "invalid_url" });
    expect(await storedImages()).toBe(before);
  });

  it("refuses a redirect from the allow-listed server to a non-listed local port, without contacting it", async () => {
    const before = await storedImages();
    const res = await convert(`${images.url}/to-hidden`);
    expect(res.status).toBe(403);
    expect(res.json.code).toBe("source_forbidden");
    expect(images.hits("/to-hidden")).toBe(1);
    expect(hidden.hits("/secret.png")).toBe(0);
    expect(await storedImages()).toBe(before);
  });

  it("answers a redirect loop with 502 and stores nothing", async () => {
    const before = await storedImages();
    const res = await convert(`${images.url}/loop-a`);
    expect(res.status).toBe(502);
    expect(["redirect_loop", "too_many_redirects"]).toContain(res.json.code);
    expect(await storedImages()).toBe(before);
  });

  it("the allow-list lets exactly the listed host:port through: same host, other port is 403", async () => {
    const before = await storedImages();
    const other = await convert(`${hidden.url}/secret.png`);
    expect(other.status).toBe(403);
    expect(other.json.code).toBe("source_forbidden");
    expect(hidden.hits("/secret.png")).toBe(0);
    expect(await storedImages()).toBe(before);

    const listed = await convert(`${images.url}/coffee.png`);
    expect(listed.status).toBe(201);
    expect(await storedImages()).toBe(before + 1);
  });
});
