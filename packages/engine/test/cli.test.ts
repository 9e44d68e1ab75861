import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { corpusPath } from "@belfoot/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), "belfoot-cli-"));
});
afterAll(async () => rm(outDir, { recursive: true, force: true }));

/** `pnpm compress …` typed in a shell in `cwd`. */
function pnpmCompress(
  cwd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // A shell's environment: not the INIT_CWD of the pnpm that runs these tests.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(INIT_CWD|npm_)/.test(k)));
    execFile("pnpm", ["run", "compress", ...args], { cwd, env }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("pnpm compress", () => {
  it("reads and writes paths relative to where it is run, not to the engine's directory", async () => {
    for (const cwd of [root, path.join(root, "tests")]) {
      const source = path.relative(cwd, corpusPath("skimage-rocket.jpg"));
      const out = path.relative(cwd, path.join(outDir, `${path.basename(cwd)}.jpg`));
      expect(source.startsWith("..")).toBe(true);
      const run = await pnpmCompress(cwd, [source, out, "--max-bytes", "40000"]);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}")).toMatchObject({
        source: { format: "jpeg" },
      });
      const jpeg = await readFile(path.resolve(cwd, out));
      expect(jpeg.subarray(0, 2).toString("hex")).toBe("ffd8");
      expect(jpeg.length).toBeLessThanOrEqual(40_000);
    }
  }, 180_000);
});
