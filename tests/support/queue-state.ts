export { waitUntil } from "@belfoot/testkit/wait";

import type { FastifyInstance } from "fastify";

export interface QueueState {
  active: number;
  waiting: number;
  fetching: number;
  activePixels: number;
  waitingPixels: number;
}

/** The converter's queue as its own metrics report it (read from its registry, whichever listener serves it). */
export async function queueState(converter: FastifyInstance): Promise<QueueState> {
  const values = async (name: string) => {
    const metric = converter.metrics.getSingleMetric(name);
    const got = metric ? await metric.get() : { values: [] };
    return new Map(got.values.map((v) => [String(v.labels.state), v.value]));
  };
  const depth = await values("belfoot_compress_queue_depth");
  const pixels = await values("belfoot_compress_pixels");
  return {
    active: depth.get("active") ?? -1,
    waiting: depth.get("waiting") ?? -1,
    fetching: depth.get("fetching") ?? -1,
    activePixels: pixels.get("active") ?? -1,
    waitingPixels: pixels.get("waiting") ?? -1,
  };
}

/** POST /img uploads holding one of admin-auth's places (UPLOADS_AT_ONCE), from its own gauge. */
export async function uploadsHeld(gateway: FastifyInstance): Promise<number> {
  const gauge = await gateway.metrics.getSingleMetric("belfoot_uploads_in_progress")?.get();
  return gauge?.values[0]?.value ?? -1;
}
