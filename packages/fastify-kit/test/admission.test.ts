import { waitUntil } from "@belfoot/testkit/wait";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { admission } from "../src/admission";
import { limitedTickets } from "../src/tickets";

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

describe("admission", () => {
  it("gives an unclaimed ticket back when the answer closes, a claimed one when its holder says", async () => {
    let open: () => void = () => {};
    let entered = 0;
    let clientsGone = 0;
    const tickets = limitedTickets(1, () => Object.assign(new Error("busy"), { statusCode: 503 }));
    const { hooks, claim } = admission(tickets.take);
    const app = Fastify();
    apps.push(app);
    const schema = { body: { type: "object", required: ["n"], properties: { n: { type: "integer" } } } };
    app.post("/work", { ...hooks, schema }, async (request, reply) => {
      const ticket = claim(request);
      reply.raw.once("close", () => clientsGone++);
      entered++;
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
    await waitUntil("the first handler runs", () => entered === 1);
    leaving.abort();
    expect(await first).toBe("aborted");
    await waitUntil("the server sees the first client gone", () => clientsGone === 1);
    expect(tickets.out).toBe(1);
    expect(await post({ n: 2 })).toBe(503);
    // ...until its work ends.
    open();
    await waitUntil("the first handler gives its ticket back", () => tickets.out === 0);
    const second = post({ n: 3 });
    await waitUntil("the second handler runs", () => entered === 2);
    open();
    expect(await second).toBe(200);
  });
});
