import { AppError } from "@belfoot/errors";
import type { FastifyInstance, FastifyRequest } from "fastify";

export interface LoginThrottleOptions {
  perUser: number;
  perIp: number;
  windowSeconds: number;
}

type Limiter = ReturnType<FastifyInstance["createRateLimit"]>;

/**
 * Failed logins, counted per user name and per client IP by @fastify/rate-limit's store. Only
 * failures count: the CMS sends its password on every request, and success must never throttle it.
 * The library counts on every call, so we call it on failures and remember, until its window
 * ends, which keys went over.
 */
export class LoginThrottle {
  private readonly byUser: Limiter;
  private readonly byIp: Limiter;
  private readonly blockedUntil = new Map<string, number>();

  constructor(app: FastifyInstance, opts: LoginThrottleOptions) {
    const timeWindow = opts.windowSeconds * 1000;
    this.byUser = app.createRateLimit({
      max: opts.perUser,
      timeWindow,
      keyGenerator: (req) => `user:${(req as FastifyRequest & { loginName?: string }).loginName ?? ""}`,
    });
    this.byIp = app.createRateLimit({ max: opts.perIp, timeWindow, keyGenerator: (req) => `ip:${req.ip}` });
  }

  private keys(request: FastifyRequest, username: string) {
    return [`user:${username.toLowerCase()}`, `ip:${request.ip}`];
  }

  /** 429 with Retry-After when this name or this IP failed too often recently. */
  assertAllowed(request: FastifyRequest, username: string): void {
    const now = Date.now();
    for (const key of this.keys(request, username)) {
      const until = this.blockedUntil.get(key);
      if (until === undefined) continue;
      if (until <= now) {
        this.blockedUntil.delete(key);
        continue;
      }
      throw new AppError(429, "too_many_failed_logins", "too many failed logins; retry later", {
        headers: { "retry-after": String(Math.ceil((until - now) / 1000)) },
      });
    }
  }

  async recordFailure(request: FastifyRequest, username: string): Promise<void> {
    if (this.blockedUntil.size > 10_000) this.sweep();
    (request as FastifyRequest & { loginName?: string }).loginName = username.toLowerCase();
    const [userKey, ipKey] = this.keys(request, username) as [string, string];
    for (const [limiter, key] of [
      [this.byUser, userKey],
      [this.byIp, ipKey],
    ] as const) {
      const result = await limiter(request);
      if (!result.isAllowed && result.remaining === 0) this.blockedUntil.set(key, Date.now() + result.ttl);
    }
  }

  /** Many names under attack at once must not grow the map without bound. */
  private sweep(): void {
    const now = Date.now();
    for (const [key, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(key);
  }
}
