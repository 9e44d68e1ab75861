/**
 * Perceptual scores from libjxl's command-line tools, for the benchmark and the studies only (the
 * engine itself never scores): butteraugli (`butteraugli_main`: the worst local difference and its
 * 3-norm over the image, in just-noticeable-difference units, lower is better) and SSIMULACRA
 * (`ssimulacra_main`, lower is better). Both see colour and blocking, which the luma SSIM of
 * src/metrics/ssim.ts does not. Debian: `apt-get install --no-install-recommends libjxl-devtools`;
 * without it `perceptualAvailable` is false and callers skip the scores. No npm package offers
 * either metric, and porting butteraugli by hand would be a study of its own.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";

const run = promisify(execFile);

export interface Raw {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}
export interface PerceptualScore {
  /** butteraugli's maximum local distance. */
  butteraugli: number;
  /** butteraugli's 3-norm: how large the differences are over the whole image. */
  butteraugli3: number;
  ssimulacra: number;
}

function installed(cmd: string): boolean {
  try {
    // Both print their usage and exit non-zero without arguments; a missing binary throws ENOENT.
    execFileSync(cmd, [], { stdio: "ignore" });
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ENOENT";
  }
}
export const perceptualAvailable = installed("butteraugli_main") && installed("ssimulacra_main");

/**
 * For a `--perceptual` flag: stop at once, saying what to install, rather than after an hour of encodes.
 * @internal for the benchmarks and research/, not the product.
 */
export function requirePerceptual(asked: boolean | undefined) {
  if (asked && !perceptualAvailable) {
    throw new Error("--perceptual needs butteraugli_main and ssimulacra_main (Debian: libjxl-devtools)");
  }
}

/** Raw pixels as sRGB PNG (fast deflate: the file is read once). */
async function toPng(r: Raw, file: string) {
  let img = sharp(r.data, { raw: { width: r.width, height: r.height, channels: r.channels as 1 | 3 } });
  if (r.channels === 1) img = img.toColourspace("srgb");
  await img.png({ compressionLevel: 1 }).toFile(file);
}

/**
 * Score `distorted` against `reference` (same size, 1 or 3 channels).
 * @internal for the benchmarks and research/, not the product.
 */
export async function perceptual(reference: Raw, distorted: Raw): Promise<PerceptualScore> {
  if (reference.width !== distorted.width || reference.height !== distorted.height) {
    throw new Error("perceptual: the two images differ in size");
  }
  const dir = mkdtempSync(path.join(tmpdir(), "perceptual-"));
  try {
    const [a, b] = [path.join(dir, "ref.png"), path.join(dir, "dist.png")];
    await Promise.all([toPng(reference, a), toPng(distorted, b)]);
    // Two processes, one core each.
    const [{ stdout: ba }, { stdout: sc }] = await Promise.all([
      run("butteraugli_main", [a, b]),
      run("ssimulacra_main", [a, b]),
    ]);
    const butteraugli = Number(ba.split("\n")[0]);
    const butteraugli3 = Number(/3-norm:\s*([\d.]+)/.exec(ba)?.[1]);
    const ssimulacra = Number(sc.trim());
    if (![butteraugli, butteraugli3, ssimulacra].every(Number.isFinite)) {
      throw new Error(`perceptual: unreadable output: ${ba} / ${sc}`);
    }
    return { butteraugli, butteraugli3, ssimulacra };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The size every method is scored at: the source as displayed, its long side capped at `cap`.
 * @internal for the benchmarks and research/, not the product.
 */
export function displaySize(width: number, height: number, cap = 2560) {
  const s = Math.min(1, cap / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}
