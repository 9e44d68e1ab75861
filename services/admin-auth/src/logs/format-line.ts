const LEVELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** One pino JSON line as a human reads it: time, level, service, request id, message, error. */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  const parts = [
    String(entry.time ?? ""),
    LEVELS[entry.level as number] ?? String(entry.level ?? ""),
    String(entry.name ?? ""),
    entry.reqId ? `[${entry.reqId}]` : "",
    String(entry.msg ?? ""),
  ];
  const err = entry.err as { type?: string; message?: string } | undefined;
  if (err?.message) parts.push(`(${err.type ?? "Error"}: ${err.message})`);
  return parts.filter(Boolean).join(" ");
}
