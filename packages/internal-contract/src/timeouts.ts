import type { Config } from "@belfoot/config";

/**
 * What a conversion may take beyond fetching its source: waiting for a compression slot, compressing
 * and storing. The converter bounds the fetch (FETCH_TOTAL_TIMEOUT_MS), not these.
 */
const AFTER_FETCH_MS = 60_000;

/**
 * How long the gateway waits for the converter's answer (headers, then body): the converter's own
 * fetch limit plus the time after it, so the gateway never gives up (504) on a call the converter
 * would still answer in time. Raising FETCH_TOTAL_TIMEOUT_MS raises this with it.
 */
export function converterCallTimeoutMs(config: Pick<Config, "FETCH_TOTAL_TIMEOUT_MS">): number {
  return config.FETCH_TOTAL_TIMEOUT_MS + AFTER_FETCH_MS;
}
