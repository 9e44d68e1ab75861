import type { FastifyReply, FastifyRequest } from "fastify";
import type { Ticket } from "./tickets";

/**
 * Route hooks that admit a request as it arrives, before its body is read (`take` throws, e.g. a
 * 503 busy, to turn it away unread), and the handler's claim on what was taken.
 *
 * Who gives the ticket back: the handler, once it has claimed it (`claim`), when its work ends (a
 * handler whose client has gone stops that work early: see clientGone); otherwise the end of the
 * response (a body refused by validation or a limit, a client gone during the upload), which always
 * comes. So what the tickets bound (memory, work) is never undercounted while a handler still holds it.
 * `take` sees the request's headers (not its body): e.g. whose request it is.
 */
export function admission<T extends Ticket>(take: (request: FastifyRequest) => T) {
  const held = new WeakMap<FastifyRequest, { ticket: T; claimed: boolean }>();
  return {
    hooks: {
      onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
        const entry = { ticket: take(request), claimed: false };
        held.set(request, entry);
        reply.raw.once("close", () => {
          if (!entry.claimed) entry.ticket.release();
        });
      },
    },
    /** The ticket this request took on arrival; the caller must release it when its work ends. */
    claim(request: FastifyRequest): T {
      const entry = held.get(request);
      if (!entry) throw new Error("route without the admission hooks");
      entry.claimed = true;
      return entry.ticket;
    },
  };
}
