import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { addressChain } from "../client-address";

/**
 * nginx sets this header on every request it passes on (overwriting a client's copy); admin-auth then
 * answers image reads with X-Accel-Redirect and nginx sends the bytes from its cache.
 */
export const ACCEL_HEADER = "x-belfoot-accel";

/** The internal nginx location the redirects name; nginx passes its misses to BYTES_ROUTE. */
export const ACCEL_LOCATION = "/_belfoot_image";
export const BYTES_ROUTE = "/_internal/images";

/**
 * True when nginx sent this request: its header is there and the peer is the proxy TRUST_PROXY names
 * (request.ips lists the peer and the address it forwarded for only when the peer is trusted). A
 * client reaching admin-auth directly always gets the bytes themselves.
 */
export function cameThroughNginx(request: FastifyRequest): boolean {
  return request.headers[ACCEL_HEADER] === "1" && addressChain(request).length > 1;
}

/**
 * Keys the internal bytes URL to this deployment: only admin-auth makes the key, and it travels only
 * in X-Accel-Redirect, which nginx consumes, so nobody but nginx can ask for bytes by sha256.
 */
export class AccelKey {
  readonly #key: Buffer;
  /** Keyed by the row object itself, so an entry goes when the cache lets the row go. */
  readonly #targets = new WeakMap<object, string>();

  constructor(internalToken: string) {
    this.#key = createHmac("sha256", internalToken).update("belfoot accel bytes").digest();
  }

  #mac(id: number, sha256: string): Buffer {
    return createHmac("sha256", this.#key).update(`${id}:${sha256}`).digest();
  }

  /** The `k` argument BYTES_ROUTE asks for: what lets nginx fetch these bytes on a miss. */
  key(id: number, sha256: string): string {
    return this.#mac(id, sha256).toString("base64url");
  }

  /** The URI nginx serves the image's bytes from: one cache entry per sha256, whatever the article. */
  target(id: number, sha256: string): string {
    return `${ACCEL_LOCATION}/${id}/${sha256}?k=${this.key(id, sha256)}`;
  }

  /**
   * target() of a row, made once per row object: the metadata cache hands the same (never mutated)
   * object to every read of an image, so a read it answers pays no HMAC here.
   */
  targetOf(image: { id: number; sha256: string }): string {
    let uri = this.#targets.get(image);
    if (uri === undefined) {
      uri = this.target(image.id, image.sha256);
      this.#targets.set(image, uri);
    }
    return uri;
  }

  verify(id: number, sha256: string, given: string | undefined): boolean {
    if (!given) return false;
    const expected = this.#mac(id, sha256);
    const actual = Buffer.from(given, "base64url");
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}
