import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { parseIp } from "./address-policy";
import type { Destination, DestinationRules } from "./destination-rules";
import { fetchErrors } from "./fetch-errors";

type Callback = Parameters<LookupFunction>[2];

/** Resolves every address of a name through the injected resolver (or node:dns). */
function resolveAll(resolver: LookupFunction, hostname: string, family: number): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    resolver(hostname, { all: true, family }, (err, answer) => {
      if (err) reject(err);
      else if (Array.isArray(answer)) resolve(answer);
      else resolve([{ address: answer, family: answer.includes(":") ? 6 : 4 }]);
    });
  });
}

function familyOf(options: Parameters<LookupFunction>[1]): number {
  const f = options.family;
  return f === 4 || f === "IPv4" ? 4 : f === 6 || f === "IPv6" ? 6 : 0;
}

/**
 * The lookup hook given to net.connect. It runs at connect time, on the very answers the socket
 * will use, so a DNS rebinding between any earlier check and the connect cannot slip past.
 * Every answer must be public on an allowed port (or allow-listed); one bad address refuses the
 * whole name.
 */
export function createGuardedLookup(
  target: Destination,
  rules: DestinationRules,
  resolver: LookupFunction = dnsLookup as LookupFunction,
): LookupFunction {
  const hostTrusted = rules.trustsHost(target);
  const check = (answers: LookupAddress[]): LookupAddress[] => {
    if (answers.length === 0) throw fetchErrors.sourceError(`source host ${target.host} has no addresses`);
    if (hostTrusted) return answers;
    for (const { address } of answers) {
      const ip = parseIp(address);
      if (!ip) throw fetchErrors.sourceError(`source host ${target.host} resolved to a non-IP answer`);
      rules.checkAddress(target, ip, true);
    }
    return answers;
  };
  return (hostname, options, callback: Callback) => {
    resolveAll(resolver, hostname, familyOf(options))
      .then(check)
      .then(
        (answers) => {
          const [first] = answers;
          if (options.all) callback(null, answers);
          else if (first) callback(null, first.address, first.family);
        },
        (err: NodeJS.ErrnoException) => callback(err, options.all ? [] : ""),
      );
  };
}
