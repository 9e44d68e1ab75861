import { AppError } from "@belfoot/errors";

/** Every refusal the fetcher makes: one constructor per stable code, so callers and tests agree. */
export const fetchErrors = {
  invalidUrl: (why: string, cause?: unknown) => new AppError(400, "invalid_url", why, { cause }),
  /** Generic to the caller ("a private address"); the address and its range go to the log only. */
  forbidden: (host: string, resolved: boolean, detail: { address: string; range: string }) =>
    new AppError(
      403,
      "source_forbidden",
      `source host ${clip(host, 100)} ${resolved ? "resolves to" : "is"} a private address, which is not allowed`,
      { detail: { source_host: host, source_address: detail.address, source_range: detail.range } },
    ),
  portForbidden: (port: number, allowed: readonly number[]) =>
    new AppError(
      403,
      "source_forbidden",
      `source port ${port} is not allowed; public sources are fetched on port${allowed.length === 1 ? "" : "s"} ${allowed.join(", ")}`,
    ),
  tooManyRedirects: (max: number) =>
    new AppError(502, "too_many_redirects", `source redirected more than ${max} times`),
  redirectLoop: (url: string) => new AppError(502, "redirect_loop", `source redirects in a loop (${url})`),
  tooLarge: (maxBytes: number) =>
    new AppError(413, "source_too_large", `source is larger than ${maxBytes} bytes`),
  sourceError: (why: string, cause?: unknown) => new AppError(502, "source_error", why, { cause }),
  timeout: (what: string, cause?: unknown) =>
    new AppError(504, "source_timeout", `source ${what} timed out`, { cause }),
  tooSlow: (minBytesPerSecond: number, windowMs: number) =>
    new AppError(
      504,
      "source_too_slow",
      `source sent less than ${minBytesPerSecond} bytes/s over ${windowMs / 1000} s; cut off`,
    ),
  aborted: (cause?: unknown) => new AppError(499, "request_aborted", "source fetch was cancelled", { cause }),
};

/** Shortens attacker-controlled text before it goes into an error message. */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
