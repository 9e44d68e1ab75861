import { isAppError } from "@belfoot/errors";
import type { DestinationRules } from "./destination-rules";
import { fetchErrors } from "./fetch-errors";
import { type CheckedUrl, checkUrl } from "./url-check";

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/**
 * Redirects are followed here rather than by an undici interceptor because every hop must go
 * through the same URL check (and, at connect, the guarded lookup) as the first request.
 */
export class RedirectTracker {
  count = 0;
  private readonly seen = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly rules: DestinationRules,
    start: CheckedUrl,
  ) {
    this.seen.add(start.url.href);
  }

  /** Resolves a (possibly relative) Location against the current URL and checks the hop. */
  next(location: string, from: URL): CheckedUrl {
    let hop: CheckedUrl;
    try {
      hop = checkUrl(location, this.rules, from);
    } catch (err) {
      // A bad Location is the source's fault, not the caller's: 502, not 400. 403 stays 403.
      if (isAppError(err) && err.code === "invalid_url") {
        throw fetchErrors.sourceError(`source redirected to an unusable URL (${err.message})`, err);
      }
      throw err;
    }
    this.count++;
    if (this.seen.has(hop.url.href)) throw fetchErrors.redirectLoop(hop.url.href);
    if (this.count > this.max) throw fetchErrors.tooManyRedirects(this.max);
    this.seen.add(hop.url.href);
    return hop;
  }
}
