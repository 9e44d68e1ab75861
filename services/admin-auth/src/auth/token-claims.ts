import type { Role } from "@belfoot/db";

/**
 * What a token carries: enough to find the user again and to tell whether it predates the user's
 * last password or role change. The user row stays the authority for everything else.
 */
export interface TokenClaims {
  sub: string;
  username: string;
  role: Role;
  /** The user's credentials version when the token was issued (users.credentials_version). */
  cv: number;
  iat: number;
  exp: number;
}

/** Claims a token must have to be considered at all; a token without `exp` would never expire. */
export const REQUIRED_CLAIMS = ["sub", "cv", "iat", "exp"];

/** A user id as `sub` holds it: digits only, no sign, exponent, spaces or leading zero; a safe integer. */
const USER_ID = /^[1-9][0-9]{0,15}$/;

/** The user a verified token names and the credentials version it was issued under, or undefined. */
export function tokenSubject(
  claims: TokenClaims,
): { userId: number; credentialsVersion: number } | undefined {
  if (typeof claims.sub !== "string" || !USER_ID.test(claims.sub)) return undefined;
  const userId = Number(claims.sub);
  if (!Number.isSafeInteger(userId)) return undefined;
  if (!Number.isSafeInteger(claims.cv) || claims.cv < 1) return undefined;
  return { userId, credentialsVersion: claims.cv };
}

interface TokenUser {
  id: number;
  username: string;
  role: Role;
  credentialsVersion: number;
}

/** The caller a verified token stands for, or undefined when its user is gone or changed since. */
export async function tokenCaller(
  claims: TokenClaims,
  findUser: (id: number) => Promise<TokenUser | undefined>,
): Promise<TokenUser | undefined> {
  const subject = tokenSubject(claims);
  if (!subject) return undefined;
  const user = await findUser(subject.userId);
  // A password or role change since the token was issued bumped the version: the token is void.
  if (!user || user.credentialsVersion !== subject.credentialsVersion) return undefined;
  return user;
}
