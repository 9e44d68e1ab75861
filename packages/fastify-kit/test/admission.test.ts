import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { admission, limitedTickets } from "../src/admission";

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

describe("admission", () => {
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

  it("gives an unclaimed ticket back when the answer closes, a claimed one when its holder says", async () => {
    let open: () => void = () => {};
    const { hooks, claim } = admission(
      limitedTickets(1, () => Object.assign(new Error("busy"), { statusCode: 503 })).take,
    );
    const app = Fastify();
    apps.push(app);
    const schema = { body: { type: "object", required: ["n"], properties: { n: { type: "integer" } } } };
    app.post("/work", { ...hooks, schema }, async (request) => {
      const ticket = claim(request);
      try {
        await new Promise<void>((r) => {
          open = r;
        });
        return { done: true };
      } finally {
        ticket.release();
      }
    });
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    const post = (body: unknown, signal?: AbortSignal) =>
      fetch(`${url}/work`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal,
      }).then(
        (r) => r.status,
        () => "aborted" as const,
      );

    // Refused by validation: the handler never ran, the end of the answer gave the ticket back.
    expect(await post({ n: "x" })).toBe(400);
    expect(await post({ n: "y" })).toBe(400);

    // A handler holds it even after its client has gone...
    const leaving = new AbortController();
    const first = post({ n: 1 }, leaving.signal);
    await new Promise((r) => setTimeout(r, 100));
    leaving.abort();
    expect(await first).toBe("aborted");
    await new Promise((r) => setTimeout(r, 100));
    expect(await post({ n: 2 })).toBe(503);
    // ...until its work ends.
    open();
    await new Promise((r) => setTimeout(r, 50));
    const second = post({ n: 3 });
    await new Promise((r) => setTimeout(r, 100));
    open();
    expect(await second).toBe(200);
  });
});
