import { createHmac, timingSafeEqual } from "node:crypto";

/** What a signed link names: one stored version of one image, until a moment. */
export interface LinkTarget {
  id: number;
  sha256: string;
  /** Unix seconds. */
  expires: number;
}

/**
 * HMAC-SHA256 over the image id, its sha256 and the expiry. New links are signed with the current
 * key; links signed with the previous one still verify while it is configured (a key rotation's grace
 * period, at most LINK_MAX_TTL_S long since no link lives longer).
 */
export class LinkSigner {
  readonly #current: string;
  readonly #previous: string | undefined;

  constructor(current: string, previous?: string) {
    this.#current = current;
    this.#previous = previous || undefined;
  }

  static #mac(key: string, { id, sha256, expires }: LinkTarget): Buffer {
    return createHmac("sha256", key).update(`belfoot-link:${id}:${sha256}:${expires}`).digest();
  }

  sign(target: LinkTarget): string {
    return LinkSigner.#mac(this.#current, target).toString("base64url");
  }

  verify(target: LinkTarget, signature: string): boolean {
    const given = Buffer.from(signature, "base64url");
    return [this.#current, this.#previous].some((key) => {
      if (!key) return false;
      const expected = LinkSigner.#mac(key, target);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  }
}

/** The path of a link; the host is the caller's. */
export function linkPath(target: LinkTarget, signature: string): string {
  return `/links/${target.id}/${target.sha256}?expires=${target.expires}&signature=${signature}`;
}
