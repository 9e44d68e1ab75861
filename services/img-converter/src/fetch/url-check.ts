import { parseIp } from "./address-policy";
import type { DestinationRules } from "./destination-rules";
import { clip, fetchErrors } from "./fetch-errors";

/** A URL that passed the checks, with the host and port the connection will go to. */
export interface CheckedUrl {
  url: URL;
  /** URL host without IPv6 brackets, lower-cased by the WHATWG parser. */
  host: string;
  port: number;
}

const DEFAULT_PORT: Record<string, number> = { "http:": 80, "https:": 443 };

/** The host (IPv6 brackets stripped) and port a connection to this http(s) URL goes to. */
export function connectTarget(url: URL): { host: string; port: number } {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { host, port: url.port === "" ? (DEFAULT_PORT[url.protocol] ?? 0) : Number(url.port) };
}

/** WHATWG parse: it already turns 2130706433, 0x7f.1 and 0177.0.0.1 into 127.0.0.1. */
function parse(raw: string, base?: URL): URL {
  try {
    return new URL(raw, base);
  } catch (err) {
    // String(): JavaScript callers may pass anything; the message must not throw.
    throw fetchErrors.invalidUrl(`not a valid URL: "${clip(String(raw), 100)}"`, err);
  }
}

/**
 * Scheme, credentials and host checks, done before any connection is opened. Literal IPs (address
 * and port) are judged here because Node never calls the lookup hook for them; names are judged by the
 * guarded lookup at connect time.
 */
export function checkUrl(raw: string, rules: DestinationRules, base?: URL): CheckedUrl {
  const url = parse(raw, base);
  if (DEFAULT_PORT[url.protocol] === undefined) {
    throw fetchErrors.invalidUrl(`only http and https URLs are accepted, not ${clip(url.protocol, 20)}`);
  }
  if (url.username !== "" || url.password !== "") {
    throw fetchErrors.invalidUrl("URLs with credentials are not accepted");
  }
  if (url.hostname === "") throw fetchErrors.invalidUrl("URL has no host");
  url.hash = "";
  const { host, port } = connectTarget(url);
  const ip = parseIp(host);
  if (ip && !rules.trustsHost({ host, port })) rules.checkAddress({ host, port }, ip, false);
  return { url, host, port };
}
