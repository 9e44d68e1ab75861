import { type AppError, isAppError } from "@belfoot/errors";
import { fetchErrors } from "./fetch-errors";

const TIMEOUTS: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: "connect",
  ETIMEDOUT: "connect",
  UND_ERR_HEADERS_TIMEOUT: "headers",
  UND_ERR_BODY_TIMEOUT: "body",
};

const DNS_FAILURES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NODATA", "EAI_FAIL", "EAI_NONAME"]);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

function codeOf(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err && typeof err.code === "string")
    return err.code;
  return undefined;
}

/** An AppError we raised ourselves (e.g. inside the guarded lookup) may come back wrapped by undici. */
function findAppError(err: unknown): AppError | undefined {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (isAppError(e)) return e;
    e = e instanceof Error ? e.cause : undefined;
  }
  return undefined;
}

/** Turns whatever undici or node:net threw into an AppError; the raw error stays only as `cause`. */
export function toFetchError(err: unknown): AppError {
  const own = findAppError(err);
  if (own) return own;
  const code = codeOf(err) ?? codeOf(err instanceof Error ? err.cause : undefined);
  if (code === undefined) return fetchErrors.sourceError("source fetch failed", err);
  const phase = TIMEOUTS[code];
  if (phase) return fetchErrors.timeout(phase, err);
  if (DNS_FAILURES.has(code))
    return fetchErrors.sourceError(`source host could not be resolved (${code})`, err);
  if (TLS_CODE.test(code)) return fetchErrors.sourceError(`source TLS handshake failed (${code})`, err);
  return fetchErrors.sourceError(`source connection failed (${code})`, err);
}
