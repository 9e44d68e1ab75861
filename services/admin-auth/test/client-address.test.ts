import Fastify, { type FastifyInstance } from "fastify";
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressChain, clientAddress } from "../src/client-address";

/** An app answering each request's chain and client address, over one kept-alive connection. */
async function start(trustProxy: string | false) {
  const app = Fastify({ trustProxy });
  app.get("/", async (request) => ({ chain: addressChain(request), client: clientAddress(request) }));
  await app.listen({ host: "127.0.0.1", port: 0 });
  const pool = new Pool(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`, {
    connections: 1,
  });
  const ask = async (forwardedFor?: string) => {
    const answer = await pool.request({
      method: "GET",
      path: "/",
      headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
    });
    return (await answer.body.json()) as { chain: string[]; client: string };
  };
  return { app, pool, ask };
}

describe("a request's client address", () => {
  let behindProxy: Awaited<ReturnType<typeof start>>;
  let direct: Awaited<ReturnType<typeof start>>;
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    behindProxy = await start("127.0.0.1");
    direct = await start(false);
    apps.push(behindProxy.app, direct.app);
  });
  afterAll(async () => {
    await Promise.all([behindProxy.pool.close(), direct.pool.close()]);
    await Promise.all(apps.map((app) => app.close()));
  });

  it("follows each request's X-Forwarded-For on one connection from a trusted proxy", async () => {
    // nginx's pooled connections carry one client after another: every answer is its own request's.
    const sequence = ["198.51.100.1", "198.51.100.1", "203.0.113.9", undefined, "198.51.100.1"];
    for (const forwardedFor of sequence) {
      const { chain, client } = await behindProxy.ask(forwardedFor);
      const expected = forwardedFor ?? "127.0.0.1";
      expect(client).toBe(expected);
      expect(chain).toEqual(forwardedFor === undefined ? ["127.0.0.1"] : ["127.0.0.1", forwardedFor]);
    }
  });

  it("is the peer whatever X-Forwarded-For says when nobody is trusted", async () => {
    for (const forwardedFor of ["198.51.100.1", "203.0.113.9", undefined]) {
      expect(await direct.ask(forwardedFor)).toEqual({ chain: ["127.0.0.1"], client: "127.0.0.1" });
    }
  });
});
