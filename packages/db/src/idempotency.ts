import type { Sql } from "./connect";

/** The first answer given under a key. */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type KeyClaim =
  | { kind: "claimed" }
  | { kind: "replay"; answer: StoredAnswer }
  | { kind: "in_progress" }
  | { kind: "reused" };

/**
 * Take the key for this request, or say why not: its answer exists (replay it), the first request
 * with it is still running, or it was used for a different request. A key older than `ttlSeconds`
 * is forgotten and taken anew.
 */
export async function claimIdempotencyKey(
  sql: Sql,
  ownerId: number,
  key: string,
  requestHash: string,
  ttlSeconds: number,
): Promise<KeyClaim> {
  await sql`
    delete from idempotency_keys
    where owner_id = ${ownerId} and key = ${key} and created_at < now() - make_interval(secs => ${ttlSeconds})`;
  const inserted = await sql`
    insert into idempotency_keys (owner_id, key, request_hash) values (${ownerId}, ${key}, ${requestHash})
    on conflict do nothing returning key`;
  if (inserted.length > 0) return { kind: "claimed" };
  const [row] = await sql<
    { requestHash: string; status: number | null; headers: string | null; body: Buffer | null }[]
  >`
    select request_hash, status, headers::text as headers, body from idempotency_keys
    where owner_id = ${ownerId} and key = ${key}`;
  // Gone between the two statements (expired and deleted by a concurrent retry): a retry will claim it.
  if (!row) return { kind: "in_progress" };
  if (row.requestHash !== requestHash) return { kind: "reused" };
  if (row.status === null) return { kind: "in_progress" };
  return {
    kind: "replay",
    answer: {
      status: row.status,
      headers: JSON.parse(row.headers ?? "{}"),
      body: row.body ?? Buffer.alloc(0),
    },
  };
}

export async function saveIdempotentAnswer(sql: Sql, ownerId: number, key: string, answer: StoredAnswer) {
  await sql`
    update idempotency_keys
    set status = ${answer.status}, headers = ${sql.json(answer.headers)}, body = ${answer.body}
    where owner_id = ${ownerId} and key = ${key}`;
}

/** The request failed without an answer worth keeping (a fault): the key is free for the retry. */
export async function releaseIdempotencyKey(sql: Sql, ownerId: number, key: string) {
  await sql`delete from idempotency_keys where owner_id = ${ownerId} and key = ${key} and status is null`;
}
