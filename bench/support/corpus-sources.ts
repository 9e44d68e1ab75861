// The shared corpus's images as benchmark sources: every file its MANIFEST gives a size to (the
// deliberately broken samples have none), with the Content-Type a web server would send.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { corpusDir, corpusPath } from "@belfoot/testkit";

export interface CorpusSource {
  file: string;
  contentType: string;
  body: Buffer;
}

const TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".png": "image/png",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".tif": "image/tiff",
};

export async function corpusSources(): Promise<CorpusSource[]> {
  const manifest = await readFile(path.join(corpusDir(), "MANIFEST.tsv"), "utf8");
  const files = manifest
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split("\t"))
    .filter(([, , width]) => Number(width) > 0)
    .map(([file]) => file as string);
  return Promise.all(
    files.map(async (file) => ({
      file,
      contentType: TYPES[path.extname(file)] ?? "application/octet-stream",
      body: await readFile(corpusPath(file)),
    })),
  );
}
