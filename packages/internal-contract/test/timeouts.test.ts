import { describe, expect, it } from "vitest";
import { converterCallTimeoutMs } from "../src/timeouts";

describe("converterCallTimeoutMs", () => {
  it("outlasts the converter's fetch limit by the time a conversion takes after it", () => {
    expect(converterCallTimeoutMs({ FETCH_TOTAL_TIMEOUT_MS: 30_000 })).toBe(90_000);
  });

  it("follows FETCH_TOTAL_TIMEOUT_MS, so a longer fetch never ends in the gateway's 504", () => {
    const short = converterCallTimeoutMs({ FETCH_TOTAL_TIMEOUT_MS: 1_500 });
    const long = converterCallTimeoutMs({ FETCH_TOTAL_TIMEOUT_MS: 600_000 });
    expect(short).toBeGreaterThan(1_500);
    expect(long).toBeGreaterThan(600_000);
    expect(long - short).toBe(600_000 - 1_500);
  });
});
