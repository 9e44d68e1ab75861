import { setTimeout as sleep } from "node:timers/promises";

/**
 * How long nginx may answer a signed link from an answer admin-auth gave it, in seconds: nginx keeps
 * each image answer to a link until the end of a whole second (X-Accel-Expires: @unix, its smallest
 * unit), at most this long after admin-auth began it. The price is paid by the writers: a delete or
 * replace is answered only once every answer begun before its commit has lapsed
 * (docs/decisions/0192-link-answers-cached-by-nginx.md).
 */
export const LINK_ANSWER_TTL_S = 1;

/** nginx's clock is read once per event-loop turn, so it may trail the wall clock by a few ms. */
const CLOCK_MARGIN_MS = 100;

/**
 * The last whole unix second in which nginx may still serve an answer that began at `answeredAtMs`
 * (before its database read) for a link valid until `expires`: never the link's own last moment.
 */
export function linkAnswerLastSecond(answeredAtMs: number, expires: number): number {
  return Math.min(Math.floor(answeredAtMs / 1000) + LINK_ANSWER_TTL_S - 1, expires - 1);
}

/**
 * Resolves once every link answer that could have seen the image as it was before a change
 * committed by `changedAtMs` has lapsed on every nginx: then a link naming the old bytes reaches
 * admin-auth again, which answers 404.
 */
export async function linkAnswersLapsed(changedAtMs: number, now = Date.now()): Promise<void> {
  const lapsedAtMs = (Math.floor(changedAtMs / 1000) + LINK_ANSWER_TTL_S) * 1000 + CLOCK_MARGIN_MS;
  if (lapsedAtMs > now) await sleep(lapsedAtMs - now);
}
