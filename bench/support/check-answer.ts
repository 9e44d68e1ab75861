import { createHash } from "node:crypto";
import { request } from "undici";

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * One request, checked before any timing: a benchmark of 404s or of the wrong bytes measures
 * nothing. `expect` is the status and, for 200, the exact JPEG.
 */
export async function checkAnswer(
  name: string,
  url: string,
  headers: Record<string, string>,
  expect: { status: 200; sha256: string; length: number } | { status: 304 },
): Promise<void> {
  // undici's request, not fetch: fetch drops a Host header, which is what picks the static server.
  const res = await request(url, { headers });
  const body = new Uint8Array(await res.body.arrayBuffer());
  const header = (key: string) => String(res.headers[key] ?? "");
  const fail = (why: string) => {
    throw new Error(`${name}: ${why} (GET ${url} answered ${res.statusCode})`);
  };
  if (res.statusCode !== expect.status) fail(`status ${res.statusCode}, expected ${expect.status}`);
  if (expect.status === 304) {
    if (body.length !== 0) fail("a 304 with a body");
    return;
  }
  if (header("content-type") !== "image/jpeg") fail(`content-type ${header("content-type")}`);
  if (Number(header("content-length")) !== expect.length) fail("wrong content-length");
  if (body.length !== expect.length || sha256(body) !== expect.sha256) fail("not the stored JPEG");
}
