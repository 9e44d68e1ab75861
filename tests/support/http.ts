import { type Dispatcher, request } from "undici";

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: Record<string, unknown> & { status?: number; code?: string; message?: string };
}

/** One real HTTP request; the answer fully read, headers flattened to strings. */
export async function http(
  url: string,
  opts: {
    method?: string;
    json?: unknown;
    body?: string | Buffer;
    headers?: Record<string, string>;
    /** Another undici dispatcher than the global one (e.g. an Agent bound to a local address). */
    dispatcher?: Dispatcher;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  let body = opts.body;
  if (opts.json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(opts.json);
  }
  const res = await request(url, {
    dispatcher: opts.dispatcher,
    method: (opts.method ?? (body === undefined ? "GET" : "POST")) as "GET",
    headers,
    body: body ?? null,
  });
  const raw = Buffer.from(await res.body.arrayBuffer());
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(", ") : v;
  let json: Answer["json"] = {};
  // HEAD answers carry the JSON content type with no body.
  if (raw.length > 0 && /^application\/(problem\+)?json/.test(flat["content-type"] ?? "")) {
    json = JSON.parse(raw.toString("utf8"));
  }
  return { status: res.statusCode, headers: flat, body: raw, json };
}

export function basic(username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
