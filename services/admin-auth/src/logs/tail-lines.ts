import { open, readdir } from "node:fs/promises";
import path from "node:path";

const CHUNK = 64 * 1024;

/**
 * The last `count` lines of a file, oldest first, reading backwards in chunks so a large log is
 * never loaded whole. Hand-written: the npm tail readers are unmaintained or read the whole file.
 */
export async function tailLines(file: string, count: number): Promise<string[]> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  try {
    let position = (await handle.stat()).size;
    let tail = Buffer.alloc(0);
    // One more newline than lines wanted tells us the first line is complete.
    while (position > 0 && countNewlines(tail) <= count) {
      const size = Math.min(CHUNK, position);
      position -= size;
      const chunk = Buffer.alloc(size);
      await handle.read(chunk, 0, size, position);
      tail = Buffer.concat([chunk, tail]);
    }
    const lines = tail.toString("utf8").split("\n").filter(Boolean);
    return lines.slice(-count);
  } finally {
    await handle.close();
  }
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** The last `count` lines across a live log and its rotated copies (newest copy first in `files`). */
export async function tailRotated(files: string[], count: number): Promise<string[]> {
  let lines: string[] = [];
  for (const file of files) {
    if (lines.length >= count) break;
    lines = [...(await tailLines(file, count - lines.length)), ...lines];
  }
  return lines;
}

/** A live log's rotated copies (`info.log.N`), newest (highest N) first. */
export async function rotatedCopies(live: string): Promise<string[]> {
  const name = path.basename(live);
  const pattern = new RegExp(`^${name.replace(/\./g, "\\.")}\\.(\\d+)$`);
  const entries = await readdir(path.dirname(live)).catch(() => [] as string[]);
  return entries
    .map((f) => ({ f, n: Number(pattern.exec(f)?.[1] ?? Number.NaN) }))
    .filter(({ n }) => Number.isInteger(n))
    .sort((a, b) => b.n - a.n)
    .map(({ f }) => path.join(path.dirname(live), f));
}
