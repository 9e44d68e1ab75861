import ipaddr from "ipaddr.js";
import { type IpAddress, parseIp } from "./address-policy";

/** A host:port entry (host lower-cased; IP hosts kept parsed) or a CIDR range. */
type AllowEntry =
  | { kind: "host"; host: string; ip: IpAddress | undefined; port: number }
  | { kind: "cidr"; range: [IpAddress, number] };

export interface AllowList {
  /** A host:port entry names this URL host (case-insensitive, IPs compared as addresses) and port. */
  allowsHost(host: string, port: number): boolean;
  /** A CIDR entry contains the address, or an IP host:port entry is this address on this port. */
  allowsAddress(addr: IpAddress, port: number): boolean;
}

const HOST_PORT = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+)):(\d{1,5})$/i;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i;
/** WHATWG URL parses a host whose last label is numeric as IPv4, so such a name could never match. */
const NUMERIC_LAST_LABEL = /(?:^|\.)(?:\d+|0x[0-9a-f]*)$/i;

function parseEntry(entry: string): AllowEntry {
  if (entry.includes("/")) {
    if (!ipaddr.isValidCIDR(entry))
      throw new Error(`ALLOW_PRIVATE_SOURCES: "${entry}" is not a valid CIDR range`);
    return { kind: "cidr", range: ipaddr.parseCIDR(entry) };
  }
  const m = HOST_PORT.exec(entry);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(
      `ALLOW_PRIVATE_SOURCES: "${entry}" is neither host:port (e.g. "[::1]:9000") nor a CIDR range`,
    );
  }
  const bracketed = m[1];
  const host = (bracketed ?? m[2] ?? "").toLowerCase();
  const ip = parseIp(host);
  const valid =
    bracketed !== undefined
      ? ip?.kind() === "ipv6"
      : ip?.kind() === "ipv4" || (HOST_NAME.test(host) && !NUMERIC_LAST_LABEL.test(host));
  if (!valid) throw new Error(`ALLOW_PRIVATE_SOURCES: "${entry}" does not name a valid host`);
  return { kind: "host", host, ip, port };
}

/** ALLOW_PRIVATE_SOURCES -> trimmed, validated entries; throws an Error naming the first bad one. */
export function parsePolicyAllowList(value: string): string[] {
  const entries = value
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  for (const entry of entries) parseEntry(entry);
  return entries;
}

function sameIp(a: IpAddress, b: IpAddress): boolean {
  return a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
}

/** An IPv4-mapped IPv6 answer is matched against IPv4 ranges by its embedded address. */
function unmap(addr: IpAddress): IpAddress {
  return addr instanceof ipaddr.IPv6 && addr.isIPv4MappedAddress() ? addr.toIPv4Address() : addr;
}

function inRange(addr: IpAddress, [net, bits]: [IpAddress, number]): boolean {
  if (net instanceof ipaddr.IPv6) return addr instanceof ipaddr.IPv6 && addr.match(net, bits);
  const plain = unmap(addr);
  return plain instanceof ipaddr.IPv4 && plain.match(net, bits);
}

export function compileAllowList(entries: readonly string[]): AllowList {
  const parsed = entries.map(parseEntry);
  const hosts = parsed.filter((e) => e.kind === "host");
  const ranges = parsed.filter((e) => e.kind === "cidr").map((e) => e.range);
  return {
    allowsHost(host, port) {
      const lower = host.toLowerCase();
      const ip = parseIp(lower);
      return hosts.some((e) => e.port === port && (ip && e.ip ? sameIp(ip, e.ip) : e.host === lower));
    },
    allowsAddress(addr, port) {
      const plain = unmap(addr);
      return (
        ranges.some((r) => inRange(addr, r)) ||
        hosts.some((e) => e.port === port && e.ip !== undefined && sameIp(unmap(e.ip), plain))
      );
    },
  };
}
