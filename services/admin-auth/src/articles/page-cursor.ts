import type { PagePosition } from "@belfoot/db";
import { AppError } from "@belfoot/errors";

/** The cursor is opaque to clients: base64url of `[created_at, id]`, checked strictly on the way back. */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString("base64url");
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function decodeCursor(cursor: string): PagePosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2) {
    const [createdAt, id] = parsed;
    if (typeof createdAt === "string" && TIMESTAMP.test(createdAt) && Number.isSafeInteger(id) && id > 0) {
      if (!Number.isNaN(Date.parse(createdAt))) return { createdAt, id };
    }
  }
  throw new AppError(400, "bad_cursor", "cursor is not one this API handed out; use next_cursor as given");
}
