import { randomBytes } from "node:crypto";
import argon2 from "argon2";

/** argon2id with OWASP's recommended minimum (19 MiB, t=2, p=1): strong, and cheap enough to serve logins. */
const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, HASH_OPTIONS);
}

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return argon2.verify(hash, password).catch(() => false);
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash of a random secret, verified when the user does not exist, so that an unknown name costs
 * the same argon2 time as a wrong password and the two cannot be told apart by timing.
 */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString("hex"));
  return dummyHash;
}
