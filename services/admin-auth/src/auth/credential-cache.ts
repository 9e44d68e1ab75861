import { createHmac, createSecretKey, randomBytes } from "node:crypto";
import type { Role } from "@belfoot/db";
import { LRUCache } from "lru-cache";

/** Who a remembered name and password were verified as. */
export interface VerifiedCaller {
  id: number;
  username: string;
  role: Role;
  credentialsVersion: number;
}

interface Entry {
  /** The pair's HMAC, base64. */
  digest: string;
  caller: VerifiedCaller;
}

export interface CredentialCacheOptions {
  /** How long a verified pair is recognised without argon2; 0 turns the cache off. */
  ttlMs: number;
  /** Names remembered at most (one pair each, the last one verified). */
  maxEntries: number;
  /** Whether changes are being heard now: nothing is recalled or remembered while they are not. */
  isLive: () => boolean;
  /** Called on every pair recognised without argon2 (a metric). */
  countHit?: () => void;
  /** Called on every token whose user came from memory (a metric). */
  countUserHit?: () => void;
}

/**
 * Verified name + password pairs, as Apache's mod_authn_socache keeps them: a CMS sends its password
 * with every request, and argon2 (tens of ms by design) would otherwise be paid on each. Only a
 * keyed hash of the pair is kept (HMAC-SHA256 under a secret made at start and never stored), so a
 * memory dump reveals no password and cannot be brute-forced offline without that secret. Only
 * successes are remembered; a wrong password always goes to argon2 (and to the failure limits).
 * Entries go when their user changes (forgetUser, from the change feed) or changes may have been missed
 * (clear). A lookup whose verification overlapped such a forgetting is not remembered: `begin()` takes
 * the epoch before the database read, `remember()` drops the pair if it moved since.
 */
export class CredentialCache {
  readonly #secret = createSecretKey(randomBytes(32));
  readonly #lru: LRUCache<string, Entry> | undefined;
  /** Users by id, for tokens: no secret in them, so kept whatever the pairs' TTL, until they change. */
  readonly #users: LRUCache<number, VerifiedCaller>;
  readonly #countUserHit: () => void;
  readonly #isLive: () => boolean;
  readonly #countHit: () => void;
  #epoch = 0;
  /** Verifications under way, by the pair's HMAC (see verifyOnce). */
  readonly #verifying = new Map<string, Promise<VerifiedCaller | undefined>>();

  constructor(opts: CredentialCacheOptions) {
    this.#isLive = opts.isLive;
    this.#countHit = opts.countHit ?? (() => {});
    this.#lru = opts.ttlMs > 0 ? new LRUCache({ max: opts.maxEntries, ttl: opts.ttlMs }) : undefined;
    this.#users = new LRUCache({ max: opts.maxEntries });
    this.#countUserHit = opts.countUserHit ?? (() => {});
  }

  #digest(username: string, password: string): string {
    // One update (the same bytes as name, NUL, password): each update is a trip into C++. Text, not a
    // Buffer: allocating one was a third of the cost, on the path of every Basic read.
    return createHmac("sha256", this.#secret).update(`${username}\0${password}`).digest("base64");
  }

  /** The caller this exact pair was verified as, while it is remembered. */
  recall(username: string, password: string): VerifiedCaller | undefined {
    if (!this.#lru || !this.#isLive()) return undefined;
    const entry = this.#lru.get(username);
    if (!entry) return undefined;
    // A plain comparison: the caller cannot steer an HMAC's bytes, so its timing tells them nothing.
    if (entry.digest !== this.#digest(username, password)) return undefined;
    this.#countHit();
    return entry.caller;
  }

  /**
   * `verify()` for this pair, shared by every check of the same pair under way at once: when a
   * remembered pair expires under a CMS's parallel reads, one argon2 verification answers them all
   * rather than one each (a burst of CPU and argon2's memory per connection). Keyed by the pair's
   * HMAC, like the entries.
   */
  verifyOnce(
    username: string,
    password: string,
    verify: () => Promise<VerifiedCaller | undefined>,
  ): Promise<VerifiedCaller | undefined> {
    const key = this.#digest(username, password);
    let pending = this.#verifying.get(key);
    if (pending === undefined) {
      pending = verify().finally(() => this.#verifying.delete(key));
      this.#verifying.set(key, pending);
    }
    return pending;
  }

  /** Call before reading the user to verify: remember() needs what this returns. */
  begin(): number {
    return this.#epoch;
  }

  /** Remember a pair argon2 just accepted, unless its user changed (or changes were missed) since begin(). */
  remember(epoch: number, username: string, password: string, caller: VerifiedCaller): void {
    if (!this.#lru || !this.#isLive() || epoch !== this.#epoch) return;
    this.#lru.set(username, { digest: this.#digest(username, password), caller });
  }

  /**
   * The user a token names: from memory while nothing changed it, else from load() (and then kept).
   * Read at once, as recall() is: a user's change has a second to stop their credentials everywhere,
   * and the feed applies it well within that. Waiting here as well as for the image's row put every
   * Bearer read one more event-loop turn behind.
   */
  async userById(
    id: number,
    load: () => Promise<VerifiedCaller | undefined>,
  ): Promise<VerifiedCaller | undefined> {
    const hit = this.#isLive() ? this.#users.get(id) : undefined;
    if (hit) {
      this.#countUserHit();
      return hit;
    }
    const epoch = this.#epoch;
    const user = await load();
    if (user && this.#isLive() && epoch === this.#epoch) this.#users.set(id, user);
    return user;
  }

  forgetUser(user: { id: number; username: string }): void {
    this.#epoch++;
    this.#lru?.delete(user.username);
    this.#users.delete(user.id);
  }

  clear(): void {
    this.#epoch++;
    this.#lru?.clear();
    this.#users.clear();
  }
}
