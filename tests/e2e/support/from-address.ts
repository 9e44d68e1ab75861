import { Agent, request } from "undici";
import type { Answer } from "../../support/http";

export type Client = (
  url: string,
  opts?: { method?: string; json?: unknown; headers?: Record<string, string> },
) => Promise<Answer>;

/**
 * Requests from another loopback address (127.0.0.0/8 is all local on Linux): nginx keys its limits
 * on the peer address, so each test gets a bucket of its own, and a test can be two clients.
 */
export function clientFrom(localAddress: string): { http: Client; close(): Promise<void> } {
  const agent = new Agent({ localAddress });
  const http: Client = async (url, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | null = null;
    if (opts.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(opts.json);
    }
    const res = await request(url, {
      dispatcher: agent,
      method: (opts.method ?? (body === null ? "GET" : "POST")) as "GET",
      headers,
      body,
    });
    const raw = Buffer.from(await res.body.arrayBuffer());
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers))
      if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(", ") : v;
    const json = /^application\/json/.test(flat["content-type"] ?? "")
      ? JSON.parse(raw.toString("utf8"))
      : {};
    return { status: res.statusCode, headers: flat, body: raw, json };
  };
  return { http, close: () => agent.close() };
}
