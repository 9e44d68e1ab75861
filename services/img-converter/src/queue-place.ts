import type { FastifyReply, FastifyRequest } from "fastify";
import type { JobQueue, Place } from "./job-queue";

interface Held {
  place: Place;
  /** Set when the handler takes the place: from then on the handler's job gives it back. */
  claimed: boolean;
}

/**
 * Route hooks that take a job's place in line as its request arrives, before its body is read (a
 * `POST /uploads` body may be UPLOAD_BODY_LIMIT_BYTES) or its source downloaded. A busy converter
 * answers 503 from the `onRequest` hook, so what it holds in memory stays bounded by the places
 * (job-queue.ts).
 *
 * Who gives the place back: the handler's job, once the handler has claimed it (`placeOf`), even if
 * the client has gone away meanwhile, since the download or the compression goes on; otherwise the
 * end of the response (a refused body, a client gone during the upload), which always comes.
 */
export function queuePlaces(queue: JobQueue) {
  const held = new WeakMap<FastifyRequest, Held>();
  return {
    hooks: {
      onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
        const entry: Held = { place: queue.admit(), claimed: false };
        held.set(request, entry);
        reply.raw.once("close", () => {
          if (!entry.claimed) entry.place.release();
        });
      },
    },
    /** Claims the place the request took on arrival: the caller's job must end by giving it back. */
    placeOf(request: FastifyRequest): Place {
      const entry = held.get(request);
      if (!entry) throw new Error("route without the queuePlaces hooks");
      entry.claimed = true;
      return entry.place;
    },
  };
}
