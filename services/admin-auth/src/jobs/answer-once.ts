import { createHash } from "node:crypto";
import {
  claimIdempotencyKey,
  releaseIdempotencyKey,
  type StoredAnswer,
  saveIdempotentAnswer,
} from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Caller } from "../plugins/authenticate";

/** An answer as it is sent and kept: status, the headers worth replaying, the bytes. */
export type Answer = StoredAnswer;

const KEY = /^[\x21-\x7e]{1,255}$/;
const DAY_SECONDS = 24 * 60 * 60;

export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** JSON with object keys sorted, so the same body sent with its keys in another order hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function send(reply: FastifyReply, answer: Answer, replayed: boolean): FastifyReply {
  if (replayed) reply.header("idempotent-replayed", "true");
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/**
 * Stripe's Idempotency-Key: the same key, body and account within 24 hours gets the first answer
 * again and nothing is done twice; the key with another body is 422 idempotency_key_reused; while
 * the first request is still running, 409. Faults (5xx, thrown errors) are not kept: the retry runs.
 * `scope` tells requests apart that share a body (a synchronous and a queued POST /convert).
 */
export async function answerOnce(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  caller: Caller,
  scope: string,
  run: () => Promise<Answer>,
): Promise<FastifyReply> {
  const header = request.headers["idempotency-key"];
  if (header === undefined) return send(reply, await run(), false);
  if (typeof header !== "string" || !KEY.test(header)) {
    throw new AppError(
      400,
      "invalid_idempotency_key",
      "Idempotency-Key must be 1 to 255 visible ASCII characters",
    );
  }
  // Credentials are not part of the request's identity (a password change must not make it new).
  const { user: _credentials, ...body } = (request.body ?? {}) as Record<string, unknown>;
  const hash = createHash("sha256")
    .update(`${scope}\n${canonical(body)}`)
    .digest("hex");
  const claim = await claimIdempotencyKey(app.sql, caller.id, header, hash, DAY_SECONDS);
  if (claim.kind === "replay") return send(reply, claim.answer, true);
  if (claim.kind === "reused") {
    throw new AppError(
      422,
      "idempotency_key_reused",
      "this Idempotency-Key was used for a different request; use a new key for a new request",
    );
  }
  if (claim.kind === "in_progress") {
    throw new AppError(
      409,
      "idempotency_key_in_use",
      "a request with this Idempotency-Key is still running",
      {
        headers: { "retry-after": "1" },
      },
    );
  }
  let answer: Answer;
  try {
    answer = await run();
  } catch (err) {
    await releaseIdempotencyKey(app.sql, caller.id, header);
    throw err;
  }
  if (answer.status >= 500) await releaseIdempotencyKey(app.sql, caller.id, header);
  else await saveIdempotentAnswer(app.sql, caller.id, header, answer);
  return send(reply, answer, false);
}
