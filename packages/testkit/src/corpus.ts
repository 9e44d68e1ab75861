import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let found: string | undefined;

/**
 * The shared photograph corpus beside the project root (never copied into the repo):
 * `CORPUS_DIR` when set, else the first `shared/corpus/public` found walking up from here.
 */
export function corpusDir(): string {
  found ??= findCorpus();
  return found;
}

function findCorpus(): string {
  if (process.env.CORPUS_DIR) return path.resolve(process.env.CORPUS_DIR);
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "shared", "corpus", "public");
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) {
      throw new Error("shared/corpus/public not found beside the project; set CORPUS_DIR");
    }
  }
}

export function corpusPath(file: string): string {
  return path.join(corpusDir(), file);
}
