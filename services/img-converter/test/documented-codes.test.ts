import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

describe("the API reference's list of refusals", () => {
  it("names every code a source fetch can answer", async () => {
    const reference = await readFile(path.join(root, "docs/api.md"), "utf8");
    const source = await readFile(
      path.join(root, "services/img-converter/src/fetch/fetch-errors.ts"),
      "utf8",
    );
    const codes = [...source.matchAll(/new AppError\(\s*\d+,\s*"([a-z_]+)"/g)].map((m) => m[1] as string);
    expect(codes).toContain("source_forbidden");
    // request_aborted answers a client that has already gone: nobody reads it.
    for (const code of codes.filter((c) => c !== "request_aborted"))
      expect(reference, `${code} missing from docs/api.md`).toContain(`\`${code}\``);
  });
});
