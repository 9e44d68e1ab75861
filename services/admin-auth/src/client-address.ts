import type { FastifyRequest } from "fastify";

interface KnownChain {
  forwardedFor: string | string[] | undefined;
  chain: readonly string[];
}

/**
 * The chain each connection's last request carried. Fastify's `ip` and `ips` getters parse
 * X-Forwarded-For against TRUST_PROXY on every access, and nginx's pooled connections to admin-auth
 * mostly carry the same client one request after another. The chain depends on nothing but the
 * connection's peer (fixed, and so is its server's TRUST_PROXY) and that header.
 */
const lastChains = new WeakMap<object, KnownChain>();

/**
 * The request's addresses as Fastify's `request.ips` gives them: the peer, then what the trusted
 * proxy in front forwarded for (TRUST_PROXY); only the peer when nobody is trusted.
 */
export function addressChain(request: FastifyRequest): readonly string[] {
  const forwardedFor = request.headers["x-forwarded-for"];
  const connection = request.raw.socket;
  const known = lastChains.get(connection);
  if (known !== undefined && known.forwardedFor === forwardedFor) return known.chain;
  const chain = request.ips ?? [request.ip];
  lastChains.set(connection, { forwardedFor, chain });
  return chain;
}

/** The client's address: Fastify's `request.ip` (the last address of the chain). */
export function clientAddress(request: FastifyRequest): string {
  const chain = addressChain(request);
  return chain[chain.length - 1] ?? request.ip;
}
