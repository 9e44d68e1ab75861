import { AppError } from "@belfoot/errors";
import { describe, expect, it } from "vitest";
import { createCompressionQueue } from "../src/compression-queue";

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe("createCompressionQueue", () => {
  // A job whose input is already in memory: a place and a slot at once (as an upload's).
  const runIn =
    (queue: ReturnType<typeof createCompressionQueue>) =>
    async <T>(job: () => Promise<T>) =>
      queue.admit("a").run(job);

  it("runs at most `concurrency` jobs at once and starts waiting ones in order", async () => {
    const queue = createCompressionQueue({ concurrency: 2, maxWaiting: 10, perAccount: 12 });
    const run = runIn(queue);
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect([queue.active, queue.waiting]).toEqual([2, 1]);
    gates[0]?.resolve();
    await runs[0];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[1]?.resolve();
    gates[2]?.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect([queue.active, queue.waiting]).toEqual([0, 0]);
  });

  it("answers 503 with Retry-After when the waiting list is full, and frees slots on failure", async () => {
    const queue = createCompressionQueue({
      concurrency: 1,
      maxWaiting: 1,
      perAccount: 2,
      retryAfterSeconds: 3,
    });
    const run = runIn(queue);
    const gate = deferred();
    const first = run(() => gate.promise);
    const second = run(async () => "second");
    const third = run(async () => "third");
    await expect(third).rejects.toMatchObject({ status: 503, code: "busy", headers: { "retry-after": "3" } });
    await expect(third).rejects.toBeInstanceOf(AppError);
    gate.resolve();
    await first;
    expect(await second).toBe("second");
    await expect(run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(queue.active).toBe(0);
    expect(await run(async () => "after")).toBe("after");
  });

  it("holds a place from admission, before the job's input is ready, and gives it back once", async () => {
    const queue = createCompressionQueue({ concurrency: 1, maxWaiting: 1, perAccount: 2 });
    // Two downloads in progress hold both places: a third arrival is turned away before downloading.
    const a = queue.admit("a");
    const b = queue.admit("a");
    expect(queue.preparing).toBe(2);
    expect(() => queue.admit("a")).toThrow(expect.objectContaining({ status: 503, code: "busy" }));
    // A failed download gives its place back; releasing twice frees it only once.
    a.release();
    a.release();
    const c = queue.admit("a");
    expect(() => queue.admit("a")).toThrow(expect.objectContaining({ code: "busy" }));
    // Runs take slots in turn and free their places when they end.
    const gate = deferred();
    const running = b.run(() => gate.promise);
    const queued = c.run(async () => "c");
    await new Promise((r) => setImmediate(r));
    expect([queue.active, queue.waiting, queue.preparing]).toEqual([1, 1, 0]);
    gate.resolve();
    await running;
    expect(await queued).toBe("c");
    expect([queue.active, queue.waiting, queue.preparing]).toEqual([0, 0, 0]);
    await expect(b.run(async () => "again")).rejects.toThrow("one job");
    c.release(); // after its run: no effect
    const d = queue.admit("a");
    const e = queue.admit("a");
    expect(() => queue.admit("a")).toThrow(expect.objectContaining({ code: "busy" }));
    d.release();
    e.release();
  });

  it("gives one account at most its share of the places (429), so another account still gets in", async () => {
    // 4 places, half each by default.
    const queue = createCompressionQueue({ concurrency: 1, maxWaiting: 3, retryAfterSeconds: 3 });
    const hog = [queue.admit("1"), queue.admit("1")];
    expect(() => queue.admit("1")).toThrow(
      expect.objectContaining({ status: 429, code: "too_many_conversions", headers: { "retry-after": "3" } }),
    );
    const other = queue.admit("2");
    hog[0]?.release();
    const again = queue.admit("1");
    // Every place held: 503 busy for a third account, whatever its share.
    queue.admit("2");
    expect(() => queue.admit("3")).toThrow(expect.objectContaining({ status: 503, code: "busy" }));
    for (const p of [...hog, other, again]) p.release();
  });

  it("starts the waiting job of the account with the fewest running first, oldest first between equals", async () => {
    const queue = createCompressionQueue({ concurrency: 1, maxWaiting: 10, perAccount: 10 });
    const gate = deferred();
    const order: string[] = [];
    const job = (name: string) => async () => {
      order.push(name);
      if (name === "a0") await gate.promise;
    };
    const runs = [
      queue.admit("a").run(job("a0")),
      queue.admit("a").run(job("a1")),
      queue.admit("a").run(job("a2")),
      queue.admit("b").run(job("b0")),
    ];
    await new Promise((r) => setImmediate(r));
    expect([queue.active, queue.waiting]).toEqual([1, 3]);
    gate.resolve();
    await Promise.all(runs);
    // b0 arrived last but its account had nothing running.
    expect(order).toEqual(["a0", "b0", "a1", "a2"]);
  });

  it("runs jobs only while their decoded pixels fit the budget; a larger one runs alone, not starved", async () => {
    const queue = createCompressionQueue({
      concurrency: 3,
      maxWaiting: 10,
      perAccount: 13,
      pixelBudget: 100,
    });
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const sizes = [60, 50, 40, 500];
    const runs = sizes.map((pixels, i) =>
      queue.admit("a").run(() => gates[i]?.promise ?? Promise.resolve(), { pixels }),
    );
    await new Promise((r) => setImmediate(r));
    // 60 runs; 50 would make 110: it waits, and 40 (which would fit) waits behind it.
    expect([queue.active, queue.waiting, queue.activePixels, queue.waitingPixels]).toEqual([1, 3, 60, 190]);
    gates[0]?.resolve();
    await runs[0];
    await new Promise((r) => setImmediate(r));
    expect([queue.active, queue.activePixels]).toEqual([2, 90]);
    gates[1]?.resolve();
    gates[2]?.resolve();
    await Promise.all([runs[1], runs[2]]);
    await new Promise((r) => setImmediate(r));
    // Over the budget on its own: counted as the whole budget, run alone.
    expect([queue.active, queue.waiting, queue.activePixels]).toEqual([1, 0, 100]);
    gates[3]?.resolve();
    await runs[3];
    expect([queue.active, queue.activePixels, queue.preparing]).toEqual([0, 0, 0]);
  });

  it("takes a job whose client left out of the line at once, freeing its place; it never runs", async () => {
    const queue = createCompressionQueue({ concurrency: 1, maxWaiting: 1, perAccount: 2 });
    const gate = deferred();
    const first = queue.admit("a").run(() => gate.promise);
    const client = new AbortController();
    let ran = false;
    const second = queue.admit("a").run(
      async () => {
        ran = true;
      },
      { signal: client.signal },
    );
    await new Promise((r) => setImmediate(r));
    expect(queue.waiting).toBe(1);
    client.abort();
    await expect(second).rejects.toMatchObject({ status: 499, code: "request_aborted" });
    expect([queue.waiting, queue.preparing]).toEqual([0, 0]);
    const third = queue.admit("a"); // the place is free again
    gate.resolve();
    await first;
    third.release();
    expect(ran).toBe(false);
  });
});
