import { classifyAddress, type IpAddress } from "./address-policy";
import { compileAllowList } from "./allow-list";
import { fetchErrors } from "./fetch-errors";

/** Where a connection goes: the URL's host (no IPv6 brackets) and port. */
export interface Destination {
  host: string;
  port: number;
}

/**
 * Where a source may be fetched from. A public address, on one of the allowed ports only (80 and
 * 443 unless ALLOWED_SOURCE_PORTS says otherwise: a public host's other ports are its mail, database
 * or admin services, not its images). Or what ALLOW_PRIVATE_SOURCES lists, whatever the port rule
 * says: a host:port entry already names its port, and a CIDR entry trusts its whole range.
 */
export interface DestinationRules {
  /** A host:port allow-list entry names this URL host and port: no address check at all. */
  trustsHost(to: Destination): boolean;
  /**
   * Throws 403 source_forbidden unless `addr` may be reached on `to.port`. `resolved`: the address
   * came from DNS (the caller gave a name), so the refusal does not echo it.
   */
  checkAddress(to: Destination, addr: IpAddress, resolved: boolean): void;
}

export function compileDestinationRules(
  allowPrivate: readonly string[],
  allowedPorts: readonly number[],
): DestinationRules {
  const allow = compileAllowList(allowPrivate);
  const ports = new Set(allowedPorts);
  return {
    trustsHost: (to) => allow.allowsHost(to.host, to.port),
    checkAddress(to, addr, resolved) {
      if (allow.allowsAddress(addr, to.port)) return;
      const cls = classifyAddress(addr);
      if (!cls.public) {
        throw fetchErrors.forbidden(to.host, resolved, { address: addr.toString(), range: cls.label });
      }
      if (!ports.has(to.port)) throw fetchErrors.portForbidden(to.port, [...ports]);
    },
  };
}

/** ALLOWED_SOURCE_PORTS ("80,443") -> ports; throws an Error naming the first bad entry. */
export function parseAllowedPorts(value: string): number[] {
  return value
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "")
    .map((entry) => {
      const port = Number(entry);
      if (!/^\d{1,5}$/.test(entry) || port < 1 || port > 65535)
        throw new Error(`ALLOWED_SOURCE_PORTS: "${entry}" is not a port number (1-65535)`);
      return port;
    });
}
