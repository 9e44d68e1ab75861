import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatLogLine } from "../src/logs/format-line";
import { tailLines, tailRotated } from "../src/logs/tail-lines";

describe("tailLines", () => {
  it("returns the last N lines, oldest first, across chunk boundaries", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tail-"));
    const file = path.join(dir, "info.log");
    // Long lines so the 64 KiB chunks split lines in the middle.
    const lines = Array.from({ length: 3000 }, (_, i) => `${i}:${"x".repeat(97)}`);
    await writeFile(file, `${lines.join("\n")}\n`);
    expect(await tailLines(file, 3)).toEqual(lines.slice(-3));
    expect(await tailLines(file, 2000)).toEqual(lines.slice(-2000));
    expect(await tailLines(file, 5000)).toEqual(lines);
    expect(await tailLines(path.join(dir, "missing.log"), 5)).toEqual([]);
  });

  it("continues into rotated copies when the live file is short", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tail-"));
    await writeFile(path.join(dir, "info.log.1"), "a\nb\nc\n");
    await writeFile(path.join(dir, "info.log"), "d\ne\n");
    const files = [path.join(dir, "info.log"), path.join(dir, "info.log.1"), path.join(dir, "info.log.2")];
    expect(await tailRotated(files, 4)).toEqual(["b", "c", "d", "e"]);
    expect(await tailRotated(files, 2)).toEqual(["d", "e"]);
  });
});

describe("formatLogLine", () => {
  it("renders a pino line for people and leaves other text alone", () => {
    const line = JSON.stringify({
      level: 50,
      time: "2026-01-01T00:00:00Z",
      name: "admin-auth",
      reqId: "r1",
      msg: "failed",
      err: { type: "Error", message: "boom" },
    });
    expect(formatLogLine(line)).toBe("2026-01-01T00:00:00Z ERROR admin-auth [r1] failed (Error: boom)");
    expect(formatLogLine("plain text")).toBe("plain text");
  });
});
