/** Connection-level failures: the database is down or restarting, not a bug in the query. */
const UNAVAILABLE_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
const UNAVAILABLE_POSTGRES_JS = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);
// SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, crash, cannot connect now).
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-4])/;

/** True when a query failed because PostgreSQL could not be reached; callers answer 503 and retry later. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== "string") return false;
  return UNAVAILABLE_ERRNOS.has(code) || UNAVAILABLE_POSTGRES_JS.has(code) || UNAVAILABLE_SQLSTATE.test(code);
}
