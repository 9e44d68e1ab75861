import { CALLBACK_QUEUE, CONVERT_QUEUE, type Queue, startQueue } from "@belfoot/db";
import { createTestDatabase } from "@belfoot/testkit";
import { describe, expect, it } from "vitest";

// compose and the launcher start admin-auth and img-converter together, and both create the queues
// on a fresh database: pg-boss's create_queue deadlocked there on every try, failing one start.
describe("the job queues on a fresh database", () => {
  // Two pg-boss instances, each on connections of its own, as the two services have.
  it("start from two services at once", async () => {
    for (let round = 0; round < 3; round++) {
      const db = await createTestDatabase();
      const started: Queue[] = [];
      try {
        const results = await Promise.allSettled(
          [0, 1].map(() => startQueue({ databaseUrl: db.url, expireSeconds: 30, attempts: 3, poolMax: 2 })),
        );
        for (const result of results) if (result.status === "fulfilled") started.push(result.value);
        expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled"]);
        for (const queue of started) {
          expect((await queue.getQueue(CONVERT_QUEUE))?.name).toBe(CONVERT_QUEUE);
          expect((await queue.getQueue(CALLBACK_QUEUE))?.name).toBe(CALLBACK_QUEUE);
        }
      } finally {
        await Promise.all(started.map((queue) => queue.stop({ graceful: false, wait: true })));
        await db.drop();
      }
    }
  }, 120_000);
});
