import { findUserById, findUserByName, type Role } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import fastifyJwt from "@fastify/jwt";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { Counter } from "prom-client";
import type { CredentialCache } from "../auth/credential-cache";
import { bearerToken, bodyCredentials, type Credentials, parseBasicAuth } from "../auth/credentials";
import { readGetJsonBody } from "../auth/get-body";
import { LoginThrottle, type LoginThrottleOptions } from "../auth/login-throttle";
import { dummyPasswordHash, verifyPassword } from "../auth/passwords";
import { REQUIRED_CLAIMS, type TokenClaims, tokenCaller } from "../auth/token-claims";
import { clientAddress } from "../client-address";

/** Who is calling, once their credentials checked out. */
export interface Caller {
  id: number;
  username: string;
  role: Role;
  /** The user's credentials version now; a token records it (see auth/token-claims). */
  credentialsVersion: number;
}

declare module "@fastify/jwt" {
  interface FastifyJWT {
    payload: Omit<TokenClaims, "iat" | "exp">;
    user: TokenClaims;
  }
}

declare module "fastify" {
  interface FastifyInstance {
    /** preHandler: resolve the caller from Bearer, Basic or body credentials, or answer 401. */
    authenticate: (request: FastifyRequest) => Promise<void>;
    /**
     * Check a name and password; undefined for an unknown user or a wrong password alike.
     * Failures are counted per (name, client address) and per address; over a limit it answers 429
     * before any check. A pair argon2 accepted recently is recognised without argon2 unless
     * `remembered: false` (token issuance).
     */
    checkPassword: (
      credentials: Credentials,
      request: FastifyRequest,
      how?: { remembered: boolean },
    ) => Promise<Caller | undefined>;
    signToken: (caller: Caller) => Promise<string>;
  }
  interface FastifyRequest {
    caller: Caller | null;
  }
}

export interface AuthenticateOptions {
  jwtSecret: string;
  jwtTtlSeconds: number;
  throttle: LoginThrottleOptions;
  /** Pairs argon2 accepted recently: recognised again without argon2. */
  credentials: CredentialCache;
}

/** Verified tokens kept at once (fast-jwt's LRU); a miss only costs a signature check. */
const TOKEN_CACHE_ENTRIES = 10_000;

const unauthorized = () =>
  new AppError(401, "invalid_credentials", "missing or invalid credentials", {
    headers: { "www-authenticate": 'Basic realm="belfoot-img", charset="UTF-8"' },
  });

async function authenticatePlugin(app: FastifyInstance, opts: AuthenticateOptions) {
  await app.register(fastifyJwt, {
    secret: opts.jwtSecret,
    // A number: @fastify/jwt reads it as seconds, but a text like "90" as milliseconds.
    sign: { algorithm: "HS256", expiresIn: opts.jwtTtlSeconds },
    // Pinning the algorithm refuses `alg: none` and algorithm-confusion tokens.
    // A CMS sends the same token on every read: a verified token is kept (by its hash, until its
    // exp at most) so its signature and JSON are checked once; failures are never kept.
    verify: { algorithms: ["HS256"], requiredClaims: REQUIRED_CLAIMS, cache: TOKEN_CACHE_ENTRIES },
  });
  app.decorateRequest("caller", null);
  const throttle = new LoginThrottle(opts.throttle);

  const argon2Verifications = new Counter({
    name: "belfoot_password_verifications_total",
    help: "argon2 password verifications (the verified-credentials cache spares the rest)",
    registers: [app.metrics],
  });

  /** The argon2 check, remembered on success (a wrong password is never remembered). */
  const verifyWithArgon2 = async (username: string, password: string): Promise<Caller | undefined> => {
    const epoch = opts.credentials.begin();
    const user = await findUserByName(app.sql, username);
    // Same argon2 work whether or not the user exists: the answer time does not reveal names.
    argon2Verifications.inc();
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
    if (!user || !ok) return undefined;
    const caller = {
      id: user.id,
      username: user.username,
      role: user.role,
      credentialsVersion: user.credentialsVersion,
    };
    opts.credentials.remember(epoch, username, password, caller);
    return caller;
  };

  app.decorate(
    "checkPassword",
    async ({ username, password }: Credentials, request: FastifyRequest, how?: { remembered: boolean }) => {
      const recalled = (how?.remembered ?? true) ? opts.credentials.recall(username, password) : undefined;
      if (recalled) {
        await throttle.recognised(clientAddress(request), username);
        return recalled;
      }
      const attempt = await throttle.begin(clientAddress(request), username);
      let caller: Caller | undefined;
      try {
        caller = await opts.credentials.verifyOnce(username, password, () =>
          verifyWithArgon2(username, password),
        );
      } catch (error) {
        await attempt.abandon();
        throw error;
      }
      await attempt.finish(caller !== undefined);
      return caller;
    },
  );

  app.decorate("signToken", async (caller: Caller) =>
    app.jwt.sign({
      sub: String(caller.id),
      username: caller.username,
      role: caller.role,
      cv: caller.credentialsVersion,
    }),
  );

  app.decorate("authenticate", async (request: FastifyRequest) => {
    const token = bearerToken(request.headers.authorization);
    if (token) {
      let claims: TokenClaims;
      try {
        claims = app.jwt.verify<TokenClaims>(token);
      } catch {
        throw new AppError(401, "invalid_token", "the token is invalid or expired");
      }
      // A token outlives nothing: a deleted user's token stops working, and the role is re-read.
      const caller = await tokenCaller(claims, (id) =>
        opts.credentials.userById(id, async () => {
          const user = await findUserById(app.sql, id);
          return (
            user && {
              id,
              username: user.username,
              role: user.role,
              credentialsVersion: user.credentialsVersion,
            }
          );
        }),
      );
      if (!caller) {
        throw new AppError(401, "invalid_token", "the token's user no longer exists or changed credentials");
      }
      request.caller = caller;
      return;
    }
    // Basic first: a GET's body is read only when it is where the credentials can still be.
    const credentials =
      parseBasicAuth(request.headers.authorization) ??
      bodyCredentials(
        request.method === "GET" && request.body === undefined
          ? await readGetJsonBody(request)
          : request.body,
      );
    if (!credentials) throw unauthorized();
    const caller = await app.checkPassword(credentials, request);
    if (!caller) throw unauthorized();
    request.caller = caller;
  });
}

export const authenticate = fp(authenticatePlugin, {
  name: "belfoot-authenticate",
  fastify: "5.x",
});

/** The authenticated caller; only call after the authenticate preHandler ran. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw unauthorized();
  return request.caller;
}
