import { isAppError } from "@belfoot/errors";
import { Agent, type Dispatcher, Pool } from "undici";
import { conditionalHeaders, type NotModified, type SourceValidators } from "./conditional";
import { type Deadline, startDeadline } from "./deadline";
import { compileDestinationRules, type DestinationRules } from "./destination-rules";
import { fetchErrors } from "./fetch-errors";
import { createGuardedLookup } from "./guarded-lookup";
import { toFetchError } from "./map-error";
import type { FetchedSource, FetchPolicy } from "./policy";
import { watchRateFloor } from "./rate-floor";
import { readCappedBody } from "./read-capped-body";
import { isRedirect, RedirectTracker } from "./redirects";
import { type CheckedUrl, checkUrl, connectTarget } from "./url-check";

export interface SourceFetcher {
  fetch(url: string, signal?: AbortSignal): Promise<FetchedSource>;
  /** As fetch, asking with the validators whether the source changed: a 304 answers NotModified. */
  fetchIfChanged(
    url: string,
    validators: SourceValidators | undefined,
    signal?: AbortSignal,
  ): Promise<FetchedSource | NotModified>;
  close(): Promise<void>;
}

/** Ports a public source may use unless the policy names others (ALLOWED_SOURCE_PORTS). */
const DEFAULT_PORTS = [80, 443];

/** Body bytes read from a redirect or error response so its connection can be reused. */
const DISCARD_LIMIT = 64 * 1024;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * One keep-alive Agent per fetcher. Its factory gives each origin's pool a guarded lookup bound to
 * that origin's host and port, because host:port allow-list entries need the port and net's lookup
 * hook only receives the name. No redirect interceptor is composed: undici 7 then never follows
 * redirects (the v6 `maxRedirections` option is gone), and we follow them ourselves.
 */
export function createAgent(policy: FetchPolicy, rules: DestinationRules): Agent {
  const connect = { timeout: policy.connectTimeoutMs };
  return new Agent({
    headersTimeout: policy.headersTimeoutMs,
    bodyTimeout: policy.headersTimeoutMs,
    connect,
    factory: (origin, options) => {
      const lookup = createGuardedLookup(connectTarget(new URL(String(origin))), rules, policy.lookup);
      return new Pool(origin, { ...options, connect: { ...connect, lookup } });
    },
  });
}

export function createSourceFetcher(policy: FetchPolicy): SourceFetcher {
  const rules = compileDestinationRules(policy.allowPrivate, policy.allowedPorts ?? DEFAULT_PORTS);
  const agent = createAgent(policy, rules);
  const headers = {
    "user-agent": policy.userAgent ?? "belfoot-img",
    accept: "image/avif,image/webp,image/*;q=0.9,*/*;q=0.5",
  };

  const request = (
    hop: CheckedUrl,
    signal: AbortSignal,
    conditions: Record<string, string>,
  ): Promise<Dispatcher.ResponseData> =>
    agent.request({
      origin: hop.url.origin,
      path: `${hop.url.pathname}${hop.url.search}`,
      method: "GET",
      headers: { ...headers, ...conditions },
      signal,
    });

  async function follow(
    start: CheckedUrl,
    deadline: Deadline,
    validators?: SourceValidators,
  ): Promise<FetchedSource | NotModified> {
    const conditions = conditionalHeaders(validators);
    const redirects = new RedirectTracker(policy.maxRedirects, rules, start);
    let hop = start;
    for (;;) {
      const res = await request(hop, deadline.signal, conditions);
      const location = isRedirect(res.statusCode) ? first(res.headers.location) : undefined;
      if (location !== undefined) {
        await res.body.dump({ limit: DISCARD_LIMIT });
        hop = redirects.next(location, hop.url);
        continue;
      }
      if (res.statusCode === 304 && Object.keys(conditions).length > 0) {
        await res.body.dump({ limit: DISCARD_LIMIT });
        return { notModified: true, finalUrl: hop.url.href };
      }
      if (res.statusCode < 200 || res.statusCode > 299) {
        await res.body.dump({ limit: DISCARD_LIMIT });
        throw fetchErrors.sourceError(`source answered HTTP ${res.statusCode}`);
      }
      const floor = watchRateFloor(
        policy.minBytesPerSecond ?? 0,
        policy.slowGraceMs ?? 5_000,
        deadline.abort,
      );
      const bytes = await readCappedBody(res.body, policy.maxBytes, res.headers["content-length"], (n) =>
        floor.received(n),
      ).finally(floor.stop);
      return {
        bytes,
        contentType: first(res.headers["content-type"]),
        finalUrl: hop.url.href,
        redirects: redirects.count,
        etag: first(res.headers.etag),
        lastModified: first(res.headers["last-modified"]),
      };
    }
  }

  async function guarded(url: string, signal: AbortSignal | undefined, validators?: SourceValidators) {
    const deadline = startDeadline(policy.totalTimeoutMs, signal);
    try {
      return await follow(checkUrl(url, rules), deadline, validators);
    } catch (err) {
      // After the deadline fires undici may surface any abort error; the reason says why.
      const reason: unknown = deadline.signal.reason;
      throw !isAppError(err) && isAppError(reason) ? reason : toFetchError(err);
    } finally {
      deadline.clear();
    }
  }

  return {
    // Without validators no 304 is asked for, so the answer is always the source itself.
    fetch: (url, signal) => guarded(url, signal) as Promise<FetchedSource>,
    fetchIfChanged: (url, validators, signal) => guarded(url, signal, validators),
    close: () => agent.close(),
  };
}
