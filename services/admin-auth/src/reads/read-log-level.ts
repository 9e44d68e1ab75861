import type { RequestLogLevel } from "@belfoot/fastify-kit";
import type { FastifyReply, FastifyRequest } from "fastify";
import { cameThroughNginx } from "./accel";

/**
 * Image reads nginx passed on and that were answered as routine (sent on with X-Accel-Redirect, or
 * 304) are logged at debug: nginx's access log already has each, with the same request id, and at
 * info they cost as much CPU as the read itself (docs/decisions/0260-gateway-read-path-cpu.md).
 * Everything else — refusals, errors, writes, reads served by admin-auth itself — stays at info.
 */
export function readLogLevel(request: FastifyRequest, reply: FastifyReply): RequestLogLevel {
  if (reply.hasHeader("x-accel-redirect")) return "debug";
  if (reply.statusCode === 304 && cameThroughNginx(request)) return "debug";
  return "info";
}
