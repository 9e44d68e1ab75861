import type { LookupFunction } from "node:net";

/** How the converter may fetch a source URL; every limit is enforced by the fetcher itself. */
export interface FetchPolicy {
  /** MAX_SOURCE_BYTES: enforced while streaming, not only via Content-Length. */
  maxBytes: number;
  connectTimeoutMs: number;
  /** Also used as the idle limit between body chunks. */
  headersTimeoutMs: number;
  /** The whole fetch, redirects and body included. */
  totalTimeoutMs: number;
  /** FETCH_MIN_BYTES_PER_S over every FETCH_SLOW_GRACE_MS window of the body, or it is cut off (0: off). */
  minBytesPerSecond?: number;
  slowGraceMs?: number;
  /** Each hop is re-checked by the guard. */
  maxRedirects: number;
  /** ALLOW_PRIVATE_SOURCES entries: "host:port" or CIDR (see parsePolicyAllowList). */
  allowPrivate: string[];
  /** ALLOWED_SOURCE_PORTS: the ports a public source may use (default 80 and 443); allow-listed ones use any. */
  allowedPorts?: number[];
  userAgent?: string;
  /** DNS resolver (node:dns lookup shape, called with {all:true}); tests inject fake answers. */
  lookup?: LookupFunction;
}

export interface FetchedSource {
  bytes: Buffer;
  contentType: string | undefined;
  finalUrl: string;
  redirects: number;
  /** The source's validators, kept to ask next time whether it changed. */
  etag: string | undefined;
  lastModified: string | undefined;
}
