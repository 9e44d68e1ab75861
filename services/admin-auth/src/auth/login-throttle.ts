import { AppError } from "@belfoot/errors";
import ipaddr from "ipaddr.js";
import { LRUCache } from "lru-cache";
import { RateLimiterMemory } from "rate-limiter-flexible";

export interface LoginThrottleOptions {
  /** Consecutive failures for one name from one address before each further one adds a delay. */
  delayAfterFailures: number;
  /** The delay doubles from 1 s up to this. */
  maxDelaySeconds: number;
  /** Failures from one address, any names, in `windowSeconds` (password spraying). */
  perAddress: number;
  windowSeconds: number;
}

/** A run of failures is forgotten a day after it began (rate-limiter-flexible's fixed window). */
const RUN_MEMORY_SECONDS = 24 * 60 * 60;
/** Longer names cannot exist (user policy); keys stay small whatever a caller sends. */
const NAME_KEY_CHARS = 100;

/** One password check under way: say how it ended, or that it could not be made. */
export interface LoginAttempt {
  finish(succeeded: boolean): Promise<void>;
  /** The check itself failed (the database, say): the attempt counts for nothing. */
  abandon(): Promise<void>;
}

const tooMany = (msBeforeNext: number) =>
  new AppError(429, "too_many_failed_logins", "too many failed logins from this address; retry later", {
    headers: { "retry-after": String(Math.max(1, Math.ceil(msBeforeNext / 1000))) },
  });

/**
 * The client address failures are counted under. An IPv6 client usually holds a whole /64, so its
 * addresses count as one; an IPv4-mapped address is its IPv4 address.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === "ipv4") return address.toString();
  return `${address.toNormalizedString().split(":").slice(0, 4).join(":")}::/64`;
}

const pairKey = (username: string, address: string) =>
  `${username.toLowerCase().slice(0, NAME_KEY_CHARS)}\n${address}`;

/**
 * Failed logins, after the OWASP Authentication Cheat Sheet and rate-limiter-flexible's
 * login-protection pattern. A failure is counted against (user name, client address): past
 * `delayAfterFailures` in a row, that pair must wait 1 s, then 2, 4, … up to `maxDelaySeconds`
 * before its next check; a success from that address ends the run. A name is never locked as a
 * whole, so failures from elsewhere never refuse a correct password from an address that is not
 * itself failing. Each address also has `perAddress` failures per window, whatever the names, against
 * password spraying. Only failures count: the CMS sends its password on every request.
 */
export class LoginThrottle {
  /** Consecutive failures per (name, address). */
  private readonly runs: RateLimiterMemory;
  /** The wait each (name, address) is in, set with block(). */
  private readonly delays: RateLimiterMemory;
  /** Failures per address in the window; a check under way holds one, refunded if it succeeds. */
  private readonly byAddress: RateLimiterMemory;

  /** addressKey() by client address: parsing one is a measurable share of a recognised read. */
  private readonly addressKeys = new LRUCache<string, string>({ max: 10_000 });

  /**
   * Bumped once a check's counting has changed the limiters (time only loosens them): a pair
   * recognised with nothing to refuse or end stays so until the next bump.
   */
  private changes = 0;
  /** Pairs recognised with nothing to refuse or end, by the `changes` they were checked at. */
  private readonly clearPairs = new LRUCache<string, number>({ max: 10_000 });

  constructor(private readonly opts: LoginThrottleOptions) {
    this.runs = new RateLimiterMemory({
      keyPrefix: "login_run",
      points: Number.MAX_SAFE_INTEGER,
      duration: RUN_MEMORY_SECONDS,
    });
    this.delays = new RateLimiterMemory({ keyPrefix: "login_delay", points: 1, duration: 1 });
    this.byAddress = new RateLimiterMemory({
      keyPrefix: "login_address",
      points: opts.perAddress,
      duration: opts.windowSeconds,
    });
  }

  /** Awaits a change that can tighten the limits, then voids every remembered clear pair. */
  private async tightening<T>(change: Promise<T>): Promise<T> {
    try {
      return await change;
    } finally {
      this.changes++;
    }
  }

  private addressOf(ip: string): string {
    let key = this.addressKeys.get(ip);
    if (key === undefined) {
      key = addressKey(ip);
      this.addressKeys.set(ip, key);
    }
    return key;
  }

  /**
   * A pair the credential cache recognised (argon2 accepted it recently): the same refusals as
   * begin() (this address over its cap, or this name from it in its wait) but nothing to count, the
   * answer being a success; a run of failures it ends is forgotten. The CMS sends its password on
   * every read, so this is the common path: it only reads unless there is a run to end, and once it
   * found nothing for this pair, not even that until a check tightens the limits.
   */
  async recognised(ip: string, username: string): Promise<void> {
    const address = this.addressOf(ip);
    const pair = pairKey(username, address);
    const checkedAt = this.changes;
    if (this.clearPairs.get(pair) === checkedAt) return;
    const [delay, spent, run] = await Promise.all([
      this.delays.get(pair),
      this.byAddress.get(address),
      this.runs.get(pair),
    ]);
    if (delay && delay.consumedPoints > this.delays.points) throw tooMany(delay.msBeforeNext);
    // begin() counts the check first and refuses past the cap: one more would be past it.
    if (spent && spent.consumedPoints >= this.opts.perAddress) throw tooMany(spent.msBeforeNext);
    if (run) await Promise.all([this.runs.delete(pair), this.delays.delete(pair)]);
    else if (checkedAt === this.changes) this.clearPairs.set(pair, checkedAt);
  }

  /**
   * Before a password check: 429 with Retry-After when this address is over its cap, or this name
   * from this address is still in its wait.
   */
  async begin(ip: string, username: string): Promise<LoginAttempt> {
    const address = this.addressOf(ip);
    const pair = pairKey(username, address);
    const delay = await this.delays.get(pair);
    if (delay && delay.consumedPoints > this.delays.points) throw tooMany(delay.msBeforeNext);
    // Counted before the check, so that checks sent in parallel cannot run past the cap.
    const spent = await this.tightening(this.byAddress.penalty(address));
    if (spent.consumedPoints > this.opts.perAddress) {
      await this.byAddress.reward(address);
      throw tooMany(spent.msBeforeNext);
    }
    return {
      finish: async (succeeded) => {
        if (succeeded) {
          await Promise.all([
            this.byAddress.reward(address),
            this.runs.delete(pair),
            this.delays.delete(pair),
          ]);
          return;
        }
        const run = await this.tightening(this.runs.penalty(pair));
        const over = run.consumedPoints - this.opts.delayAfterFailures;
        if (over >= 0) {
          await this.tightening(this.delays.block(pair, Math.min(2 ** over, this.opts.maxDelaySeconds)));
        }
      },
      abandon: async () => {
        await this.byAddress.reward(address);
      },
    };
  }
}
