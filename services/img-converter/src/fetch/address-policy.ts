import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

export interface AddressClass {
  /** True only for globally routable unicast. */
  public: boolean;
  /** ipaddr.js range name (e.g. "loopback", "private"), shown in refusals. */
  label: string;
}

// ipaddr.js does the range classification; the only hand-written parts are the IPv6 forms that
// carry an IPv4 address inside (the embedded address is what a gateway would actually reach)
// and the 2000::/3 check, because ipaddr.js calls any unlisted IPv6 address "unicast".
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR("2000::/3");
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR("64:ff9b::/96");

function v4FromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** The IPv4 addresses an IPv6 address of this range leads to, or undefined if it embeds none. */
function embeddedV4(addr: ipaddr.IPv6, range: string): ipaddr.IPv4[] | undefined {
  const p = addr.parts;
  const at = (i: number) => p[i] ?? 0;
  switch (range) {
    case "ipv4Mapped":
    case "rfc6145":
      return [v4FromParts(at(6), at(7))];
    case "rfc6052":
      // Only the well-known /96 prefix has a fixed layout; the local-use /48 is refused below.
      return addr.match(NAT64_WELL_KNOWN) ? [v4FromParts(at(6), at(7))] : undefined;
    case "6to4":
      return [v4FromParts(at(1), at(2))];
    case "teredo":
      // Teredo server in bits 32-63, client obfuscated (bit-inverted) in bits 96-127.
      return [v4FromParts(at(2), at(3)), v4FromParts(~at(6) & 0xffff, ~at(7) & 0xffff)];
    default:
      return undefined;
  }
}

function classifyV4(addr: ipaddr.IPv4): AddressClass {
  const range = addr.range();
  return { public: range === "unicast", label: range };
}

function classifyV6(addr: ipaddr.IPv6): AddressClass {
  const range = addr.range();
  if (range === "unicast") {
    return addr.match(GLOBAL_UNICAST_V6)
      ? { public: true, label: range }
      : { public: false, label: "reserved" };
  }
  const embedded = embeddedV4(addr, range);
  if (embedded === undefined) return { public: false, label: range };
  const inner = embedded.map(classifyV4).find((c) => !c.public);
  return inner
    ? { public: false, label: `${range} (embedded ${inner.label})` }
    : { public: true, label: range };
}

/**
 * Parses an IP literal (brackets allowed), or undefined for a host name. node:net's isIP decides,
 * because it is what decides whether Node calls the lookup hook; ipaddr.js alone would also
 * accept spellings like "2130706433" that Node treats as names.
 */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  return isIP(bare) === 0 ? undefined : ipaddr.parse(bare);
}

/** Public means safe to fetch without an allow-list entry. */
export function classifyAddress(addr: IpAddress): AddressClass {
  return addr instanceof ipaddr.IPv4 ? classifyV4(addr) : classifyV6(addr);
}
