import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../src/schema";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const variables = Object.keys(ConfigSchema.properties);

/** `NAME=value` lines of .env.example, commented out or not, value without its trailing comment. */
async function exampleValues(): Promise<Map<string, string>> {
  const text = await readFile(path.join(root, ".env.example"), "utf8");
  const values = new Map<string, string>();
  for (const match of text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=(\S*)/gm)) {
    if (match[1] && !values.has(match[1])) values.set(match[1], match[2] ?? "");
  }
  return values;
}

describe("every setting is documented", () => {
  it("in .env.example, with the schema's default where it shows one", async () => {
    const values = await exampleValues();
    for (const name of variables) {
      expect(values.has(name), `${name} missing from .env.example`).toBe(true);
      const schema = ConfigSchema.properties[name as keyof typeof ConfigSchema.properties] as {
        default?: unknown;
      };
      const shown = values.get(name);
      // Secrets and compose placeholders show no default; everything else must agree with the schema.
      if (schema.default !== undefined && shown && !shown.startsWith("change-me")) {
        expect(shown, `${name} in .env.example`).toBe(String(schema.default));
      }
    }
  });

  it("in docs/configuration.md's table, which names nothing the schema does not read", async () => {
    const text = await readFile(path.join(root, "docs/configuration.md"), "utf8");
    // The first cell of each table row names one or more variables: `A`, `B`.
    const documented = new Set(
      [...text.matchAll(/^\| ([^|]+) \|/gm)].flatMap((row) =>
        [...(row[1] ?? "").matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] as string),
      ),
    );
    for (const name of variables) expect(documented.has(name), `${name} missing from the table`).toBe(true);
    for (const name of documented)
      expect(variables, `${name} documented but not in the schema`).toContain(name);
  });

  it("from the README, which points to that table", async () => {
    const readme = await readFile(path.join(root, "README.md"), "utf8");
    expect(readme).toContain("(docs/configuration.md)");
  });
});
