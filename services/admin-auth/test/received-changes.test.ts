import { describe, expect, it } from "vitest";
import { afterReceivedChanges } from "../src/received-changes";

describe("waiting for the changes received so far", () => {
  it("is one wait for every lookup of an event-loop turn, and a new one in the next", async () => {
    const first = afterReceivedChanges();
    expect(afterReceivedChanges()).toBe(first);
    await first;
    const next = afterReceivedChanges();
    expect(next).not.toBe(first);
    await next;
  });

  it("ends after the I/O callbacks already due in its turn, not before", async () => {
    const order: string[] = [];
    // A callback queued before the wait, in the same turn, runs first (as a notification's would).
    setImmediate(() => order.push("queued before"));
    await afterReceivedChanges().then(() => order.push("wait over"));
    expect(order).toEqual(["queued before", "wait over"]);
  });
});
