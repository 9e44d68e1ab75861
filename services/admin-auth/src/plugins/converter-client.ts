import type { Role } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import { CONVERTER_PATHS, INTERNAL_HEADERS } from "@belfoot/internal-contract";
import type { FastifyInstance, FastifyReply } from "fastify";
import fp from "fastify-plugin";
import { Pool } from "undici";

export interface ConverterAnswer {
  statusCode: number;
  contentType: string | undefined;
  /** Set when the converter asks callers to come back later (503 busy). */
  retryAfter: string | undefined;
  body: Buffer;
}

export interface ConverterCall {
  method: "GET" | "POST";
  path: string;
  body?: Buffer | string;
  contentType?: string;
  ownerId?: number;
  /** The caller's role: the converter lets only admins replace another account's article. */
  ownerRole?: Role;
  requestId: string;
  /** Fires when the caller's own client has gone: the call is aborted, so the converter stops its work. */
  signal?: AbortSignal;
}

declare module "fastify" {
  interface FastifyInstance {
    converter: {
      call(call: ConverterCall): Promise<ConverterAnswer>;
      healthy(): Promise<boolean>;
    };
  }
}

export interface ConverterClientOptions {
  url: string;
  internalToken: string;
  /** How long a conversion may take end to end (fetch + compression) before the gateway gives up: converterCallTimeoutMs. */
  timeoutMs: number;
}

/** Connection-level failures: the converter is down or restarting. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "ENOTFOUND",
]);
const TIMEOUTS = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

/** One keep-alive undici pool to img-converter; answers pass through, faults become 502/503/504. */
async function converterClientPlugin(app: FastifyInstance, opts: ConverterClientOptions) {
  const pool = new Pool(opts.url, {
    connections: 32,
    keepAliveTimeout: 10_000,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    connectTimeout: 5_000,
  });
  app.addHook("onClose", async () => pool.close());

  const call = async (c: ConverterCall): Promise<ConverterAnswer> => {
    const headers: Record<string, string> = {
      [INTERNAL_HEADERS.token]: opts.internalToken,
      "x-request-id": c.requestId,
    };
    if (c.contentType) headers["content-type"] = c.contentType;
    if (c.ownerId !== undefined) headers[INTERNAL_HEADERS.ownerId] = String(c.ownerId);
    if (c.ownerRole !== undefined) headers[INTERNAL_HEADERS.ownerRole] = c.ownerRole;
    try {
      const res = await pool.request({
        method: c.method,
        path: c.path,
        headers,
        body: c.body ?? null,
        signal: c.signal,
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
      return {
        statusCode: res.statusCode,
        contentType: first(res.headers["content-type"]),
        retryAfter: first(res.headers["retry-after"]),
        body,
      };
    } catch (err) {
      // Our client left: nobody reads this answer, and the converter saw its connection close.
      if (c.signal?.aborted) throw new AppError(499, "request_aborted", "the client closed the request");
      const code = (err as { code?: string }).code ?? "";
      if (TIMEOUTS.has(code)) {
        throw new AppError(504, "converter_timeout", "the image converter did not answer in time", {
          cause: err,
        });
      }
      if (UNREACHABLE.has(code)) {
        throw new AppError(503, "converter_unavailable", "the image converter is unavailable; retry later", {
          cause: err,
          headers: { "retry-after": "5" },
        });
      }
      throw err;
    }
  };

  app.decorate("converter", {
    call,
    healthy: async () => {
      const res = await call({ method: "GET", path: CONVERTER_PATHS.health, requestId: "health" }).catch(
        () => undefined,
      );
      return res?.statusCode === 200;
    },
  });
}

export const converterClient = fp(converterClientPlugin, {
  name: "belfoot-converter-client",
  fastify: "5.x",
});

/** The converter's answer as the gateway passes it on: status, type, body, and Retry-After when set. */
export function relayed(answer: ConverterAnswer) {
  const headers: Record<string, string> = { "content-type": answer.contentType ?? "application/json" };
  if (answer.retryAfter) headers["retry-after"] = answer.retryAfter;
  return { status: answer.statusCode, headers, body: answer.body };
}

/** Pass the converter's answer through unchanged: status, type, body, and Retry-After when set. */
export function relay(reply: FastifyReply, answer: ConverterAnswer): FastifyReply {
  if (answer.retryAfter) reply.header("retry-after", answer.retryAfter);
  return reply
    .code(answer.statusCode)
    .type(answer.contentType ?? "application/json")
    .send(answer.body);
}
