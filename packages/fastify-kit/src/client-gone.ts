import { AppError } from "@belfoot/errors";
import type { FastifyReply } from "fastify";

const signals = new WeakMap<FastifyReply, AbortSignal>();

/**
 * A signal that fires when this request's client goes away before its answer is sent (the
 * connection closed under a handler still working), so the work done for it (a download, a
 * compression, a call to another service) stops instead of running on for nobody. A response
 * closes once either way; only an unfinished one means the client left. One signal per reply.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const known = signals.get(reply);
  if (known) return known;
  const controller = new AbortController();
  const res = reply.raw;
  const gone = () => new AppError(499, "request_aborted", "the client closed the request");
  if (res.closed && !res.writableFinished) controller.abort(gone());
  else res.once("close", () => !res.writableFinished && controller.abort(gone()));
  signals.set(reply, controller.signal);
  return controller.signal;
}
