import type { FastifyRequest } from "fastify";

/** Each request's address chain, worked out once: Fastify's ip and ips getters parse it on every access. */
const chains = new WeakMap<FastifyRequest, readonly string[]>();

/**
 * The request's addresses as Fastify's `request.ips` gives them: the peer, then what the trusted
 * proxy in front forwarded for (TRUST_PROXY); only the peer when nobody is trusted.
 */
export function addressChain(request: FastifyRequest): readonly string[] {
  let chain = chains.get(request);
  if (chain === undefined) {
    chain = request.ips ?? [request.ip];
    chains.set(request, chain);
  }
  return chain;
}

/** The client's address: Fastify's `request.ip` (the last address of the chain). */
export function clientAddress(request: FastifyRequest): string {
  const chain = addressChain(request);
  return chain[chain.length - 1] ?? request.ip;
}
