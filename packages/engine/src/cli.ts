#!/usr/bin/env -S npx tsx
// Command-line front of the engine: `pnpm compress IN OUT [--max-bytes N] [--quality Q]`.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { compress } from "./compress";
import { EngineError } from "./errors";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "max-bytes": { type: "string" },
    quality: { type: "string" },
    "max-width": { type: "string" },
    "max-height": { type: "string" },
  },
});
const [inPath, outPath] = positionals;
if (!inPath || !outPath) {
  process.stderr.write(
    "usage: compress IN OUT [--max-bytes N] [--quality Q] [--max-width W] [--max-height H]\n",
  );
  process.exit(2);
}
// `pnpm compress` runs in this package's directory; paths are the caller's, where pnpm was run.
const fromCaller = (file: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
const int = (v: string | undefined) => (v === undefined ? undefined : Number.parseInt(v, 10));
try {
  const result = await compress(await readFile(fromCaller(inPath)), {
    maxBytes: int(values["max-bytes"]),
    quality: int(values.quality),
    maxWidth: int(values["max-width"]),
    maxHeight: int(values["max-height"]),
  });
  await writeFile(fromCaller(outPath), result.jpeg);
  const { jpeg, source, ...facts } = result;
  process.stdout.write(
    `${JSON.stringify({ bytes: jpeg.length, source: { format: source.format, width: source.width, height: source.height, bytes: source.bytes }, ...facts })}\n`,
  );
} catch (err) {
  if (err instanceof EngineError || err instanceof RangeError) {
    process.stderr.write(`compress: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
