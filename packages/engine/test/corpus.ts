import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The shared photograph corpus beside the project root (never copied into the repo):
 * `CORPUS_DIR` when set, else the first `shared/corpus/public` found walking up from here.
 */
function findCorpus(): string {
  if (process.env.CORPUS_DIR) return path.resolve(process.env.CORPUS_DIR);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "shared", "corpus", "public");
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("shared/corpus/public not found beside the project; set CORPUS_DIR");
    dir = parent;
  }
}

export const CORPUS_DIR = findCorpus();

export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => !f.endsWith(".tsv"))
    .sort();
}
