import { existsSync, readdirSync, readFileSync } from "node:fs";
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

export interface CorpusEntry {
  file: string;
  /** The manifest's format column; "?" marks a file no decoder reads (it must be refused). */
  format: string;
  width: number;
  height: number;
  note: string;
}

/** The corpus as MANIFEST.tsv describes it, plus any unlisted file (format unknown, expected readable). */
export function corpusEntries(): CorpusEntry[] {
  const rows = readFileSync(path.join(CORPUS_DIR, "MANIFEST.tsv"), "utf8").trim().split("\n").slice(1);
  const listed = new Map<string, CorpusEntry>();
  for (const row of rows) {
    const [file = "", format = "", width = "0", height = "0", , , , note = ""] = row.split("\t");
    listed.set(file, { file, format, width: Number(width), height: Number(height), note });
  }
  return readdirSync(CORPUS_DIR)
    .filter((f) => f !== "MANIFEST.tsv")
    .sort()
    .map((file) => listed.get(file) ?? { file, format: "", width: 0, height: 0, note: "" });
}
