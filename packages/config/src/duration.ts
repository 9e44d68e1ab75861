const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90" (seconds), "15m", "1h", "1d" in seconds; undefined when it is not such a duration. */
export function durationSeconds(text: string): number | undefined {
  const match = /^(\d+)([smhd]?)$/.exec(text);
  if (!match?.[1]) return undefined;
  return Number(match[1]) * (UNIT_SECONDS[match[2] || "s"] ?? 1);
}
