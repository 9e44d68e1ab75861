import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = path.join(import.meta.dirname, "../src");
/** Longer functions hide their steps: split them into named ones. */
const MAX_LINES = 60;

function functionsOver(limit: number): string[] {
  const long: string[] = [];
  for (const file of readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter((f) =>
    f.endsWith(".ts"),
  )) {
    const text = readFileSync(path.join(SRC, file), "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && "body" in node && node.body) {
        const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - first + 1;
        if (lines > limit) long.push(`${file}:${first + 1} (${lines} lines)`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return long;
}

describe("the engine's source", () => {
  it(`has no function over ${MAX_LINES} lines`, () => {
    expect(functionsOver(MAX_LINES)).toEqual([]);
  });
});
