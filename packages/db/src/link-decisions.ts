import { setTimeout as sleep } from "node:timers/promises";

/**
 * How long nginx may answer a signed link from a decision admin-auth made, in seconds: nginx keeps
 * each "this link may be served" answer until the end of a whole second (X-Accel-Expires: @unix, its
 * smallest unit), at most this long after the decision began. The price is paid by the writers: a
 * delete or replace is answered only once every decision made before its commit has lapsed
 * (docs/decisions/0191-link-decisions-cached-by-nginx.md).
 */
export const LINK_DECISION_TTL_S = 1;

/** nginx's clock is read once per event-loop turn, so it may trail the wall clock by a few ms. */
const CLOCK_MARGIN_MS = 100;

/**
 * The last whole unix second in which nginx may still use a decision that began at `decidedAtMs`
 * (before its database read) for a link valid until `expires`: never the link's own last moment.
 */
export function linkDecisionLastSecond(decidedAtMs: number, expires: number): number {
  return Math.min(Math.floor(decidedAtMs / 1000) + LINK_DECISION_TTL_S - 1, expires - 1);
}

/**
 * Resolves once every link decision that could have seen the image as it was before a change
 * committed by `changedAtMs` has lapsed on every nginx: then a link naming the old bytes reaches
 * admin-auth again, which answers 404.
 */
export async function linkDecisionsLapsed(changedAtMs: number, now = Date.now()): Promise<void> {
  const lapsedAtMs = (Math.floor(changedAtMs / 1000) + LINK_DECISION_TTL_S) * 1000 + CLOCK_MARGIN_MS;
  if (lapsedAtMs > now) await sleep(lapsedAtMs - now);
}
