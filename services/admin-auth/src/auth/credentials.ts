/** A username and password as a caller presented them, from the body or a Basic header. */
export interface Credentials {
  username: string;
  password: string;
}

/** Parse `Authorization: Basic base64(user:pass)`; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): Credentials | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** `{"user": {"username", "password"}}` in a JSON body, as the CMS sends it. */
export function bodyCredentials(body: unknown): Credentials | undefined {
  if (!body || typeof body !== "object") return undefined;
  const user = (body as { user?: unknown }).user;
  if (!user || typeof user !== "object") return undefined;
  const { username, password } = user as { username?: unknown; password?: unknown };
  return typeof username === "string" && typeof password === "string" ? { username, password } : undefined;
}
