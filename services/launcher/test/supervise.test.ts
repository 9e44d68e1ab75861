import { spawn } from "node:child_process";
import { waitUntil } from "@belfoot/testkit/wait";
import { describe, expect, it } from "vitest";
import type { ServiceProcess } from "../src/spawn-service";
import { supervise } from "../src/supervise";

/** A real child process that lives for `ms` (0: until stopped), as a service would. */
function child(ms: number): ServiceProcess {
  const proc = spawn(process.execPath, [
    "-e",
    ms > 0 ? `setTimeout(() => process.exit(3), ${ms})` : "setInterval(() => {}, 1000)",
  ]);
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return {
    name: "svc",
    child: proc,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
    },
  };
}

describe("supervise", () => {
  it("restarts a service killed with SIGKILL, and stops it for good on stop()", async () => {
    const lines: string[] = [];
    let starts = 0;
    const svc = supervise(
      "img-converter",
      () => {
        starts++;
        return child(0);
      },
      { log: (l) => lines.push(l), giveUp: () => lines.push("gave up"), baseDelayMs: 10 },
    );
    const first = svc.current;
    first.child.kill("SIGKILL");
    await waitUntil("a new process runs", () => svc.current !== first && svc.current.child.pid !== undefined);
    expect(starts).toBe(2);
    expect(lines[0]).toMatch(
      /img-converter exited unexpectedly \(killed by SIGKILL\); restarting it in 10 ms/,
    );
    await svc.stop();
    expect(svc.current.child.signalCode).toBe("SIGTERM");
    expect(starts).toBe(2);
    expect(lines).not.toContain("gave up");
  });

  it("gives up on a crash loop with a message saying so", async () => {
    const lines: string[] = [];
    let gaveUp = "";
    let starts = 0;
    supervise(
      "admin-auth",
      () => {
        starts++;
        return child(1);
      },
      { log: (l) => lines.push(l), giveUp: (why) => (gaveUp = why), maxRestarts: 3, baseDelayMs: 5 },
    );
    await waitUntil("the supervisor gave up", () => gaveUp !== "", 30_000);
    expect(starts).toBe(4);
    expect(gaveUp).toMatch(/admin-auth exited 4 times within 60 s \(last: code 3\); crash loop, giving up/);
    // Backoff doubles: 5, 10, 20 ms.
    expect(lines.map((l) => /in (\d+) ms/.exec(l)?.[1])).toEqual(["5", "10", "20"]);
  });
});
