import { AppError } from "@belfoot/errors";
import { describe, expect, it } from "vitest";
import { createJobQueue } from "../src/job-queue";

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe("createJobQueue", () => {
  // A job whose input is already in memory: a place and a slot at once (as an upload's).
  const runIn =
    (queue: ReturnType<typeof createJobQueue>) =>
    async <T>(job: () => Promise<T>) =>
      queue.admit().run(job);

  it("runs at most `concurrency` jobs at once and starts waiting ones in order", async () => {
    const queue = createJobQueue({ concurrency: 2, maxWaiting: 10 });
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
    const queue = createJobQueue({ concurrency: 1, maxWaiting: 1, retryAfterSeconds: 3 });
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
    const queue = createJobQueue({ concurrency: 1, maxWaiting: 1 });
    // Two downloads in progress hold both places: a third arrival is turned away before downloading.
    const a = queue.admit();
    const b = queue.admit();
    expect(queue.preparing).toBe(2);
    expect(() => queue.admit()).toThrow(expect.objectContaining({ status: 503, code: "busy" }));
    // A failed download gives its place back; releasing twice frees it only once.
    a.release();
    a.release();
    const c = queue.admit();
    expect(() => queue.admit()).toThrow(expect.objectContaining({ code: "busy" }));
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
    const d = queue.admit();
    const e = queue.admit();
    expect(() => queue.admit()).toThrow(expect.objectContaining({ code: "busy" }));
    d.release();
    e.release();
  });
});
