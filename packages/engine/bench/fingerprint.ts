/**
 * `pnpm --filter @belfoot/engine fingerprint [--dir D] [--max-bytes N]`
 *
 * Prints `file sha256 quality encodes` for every image of the shared corpus (and of --dir) at the
 * default budget, one line each, refusals as `file - code -`: two runs compare with `diff`, so a
 * refactor can show its outputs are byte-identical (docs/decisions/0140-engine-pipeline.md).
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { compress, DEFAULT_MAX_BYTES, EngineError } from "../src/index";

const { values } = parseArgs({
  options: { dir: { type: "string", multiple: true }, "max-bytes": { type: "string" } },
});
const here = import.meta.dirname;
const corpus = path.resolve(process.env.CORPUS_DIR ?? path.join(here, "../../../../shared/corpus/public"));
const dirs = [corpus, ...(values.dir ?? []).map((d) => path.resolve(d))].filter((d) => existsSync(d));
const maxBytes = Number(values["max-bytes"] ?? DEFAULT_MAX_BYTES);

for (const dir of dirs) {
  for (const file of readdirSync(dir).sort()) {
    if (file === "MANIFEST.tsv") continue;
    try {
      const r = await compress(readFileSync(path.join(dir, file)), { maxBytes });
      const sha = createHash("sha256").update(r.jpeg).digest("hex");
      process.stdout.write(`${file} ${sha} ${r.quality ?? "-"} ${r.encodes}\n`);
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      process.stdout.write(`${file} - ${err.code} -\n`);
    }
  }
}
