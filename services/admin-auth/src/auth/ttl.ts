const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** JWT_TTL ("90", "15m", "1h", "7d") in seconds, for the `expires_in` the client is told. */
export function ttlSeconds(ttl: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(ttl);
  if (!match?.[1]) throw new RangeError(`bad duration ${ttl}`);
  return Number(match[1]) * (UNIT_SECONDS[match[2] || "s"] ?? 1);
}
