import type { FastifyRequest } from "fastify";
import type { JobQueue, Place } from "./job-queue";

/**
 * Route hooks that take a job's place in line as its request arrives, before its body is read (a
 * `POST /uploads` body may be UPLOAD_BODY_LIMIT_BYTES) or its source downloaded, and give it back
 * when the answer has gone out or the client has gone away. A busy converter answers 503 from the
 * `onRequest` hook, so what it holds in memory stays bounded by the places (job-queue.ts).
 */
export function queuePlaces(queue: JobQueue) {
  const places = new WeakMap<FastifyRequest, Place>();
  const release = async (request: FastifyRequest) => places.get(request)?.release();
  return {
    hooks: {
      onRequest: async (request: FastifyRequest) => {
        places.set(request, queue.admit());
      },
      onResponse: release,
      onRequestAbort: release,
    },
    /** The place the request took on arrival. */
    placeOf(request: FastifyRequest): Place {
      const place = places.get(request);
      if (!place) throw new Error("route without the queuePlaces hooks");
      return place;
    },
  };
}
