import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The shared photograph corpus beside the project root; never copied into the repo. */
export const CORPUS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../shared/corpus/public",
);

export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => !f.endsWith(".tsv"))
    .sort();
}
