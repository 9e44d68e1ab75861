import { describe, expect, it } from "vitest";
import { limitedTickets } from "../src/tickets";

describe("limitedTickets", () => {
  it("hands out at most `max` tickets and takes each back once", () => {
    const tickets = limitedTickets(2, () => new Error("busy"));
    const take = () => tickets.take();
    const a = take();
    const b = take();
    expect(() => take()).toThrow("busy");
    a.release();
    a.release();
    const c = take();
    expect(() => take()).toThrow("busy");
    expect(tickets.out).toBe(2);
    b.release();
    c.release();
    expect(tickets.out).toBe(0);
    expect(() => [take(), take()]).not.toThrow();
  });
});
