/** A verified encode: `bytes.length` was measured, not predicted. */
export interface Encoded {
  quality: number;
  bytes: Buffer;
}

export interface SearchResult {
  /** The highest quality whose encode fit, or undefined when even the floor did not fit. */
  best: Encoded | undefined;
  /** The size at the lowest quality tried, to size the next downscale. */
  smallestSize: number;
  encodes: number;
}

/** Quality points per halving of JPEG size in the useful range: a first guess before any secant. */
const QUALITY_PER_HALVING = 14;

/**
 * Find the highest quality in [floor, ceiling] whose encode is at most maxBytes.
 * Size is roughly monotone in quality, so a secant on log(size) predicts the answer from the
 * encodes already made; a bracket [fits, too big] keeps it honest when the prediction is off,
 * and only verified encodes are ever returned (size is not strictly monotone).
 */
export async function searchQuality(
  encode: (quality: number) => Promise<Buffer>,
  floor: number,
  ceiling: number,
  maxBytes: number,
): Promise<SearchResult> {
  const sizes = new Map<number, number>();
  let encodes = 0;
  let best: Encoded | undefined;
  const tryQuality = async (quality: number): Promise<boolean> => {
    const bytes = await encode(quality);
    encodes++;
    sizes.set(quality, bytes.length);
    const fits = bytes.length <= maxBytes;
    if (fits && (!best || quality > best.quality)) best = { quality, bytes };
    return fits;
  };

  if (await tryQuality(ceiling)) return { best, smallestSize: sizes.get(ceiling) ?? 0, encodes };
  let tooBig = ceiling; // lowest quality known to be too big
  let fits: number | undefined; // highest quality known to fit

  while (fits === undefined || tooBig - fits > 1) {
    const low = fits ?? floor - 1;
    let guess = predict(sizes, tooBig, fits, maxBytes);
    // Stay strictly inside the open bracket so every step shrinks it.
    guess = Math.min(tooBig - 1, Math.max(low + 1, guess));
    if (guess < floor) break;
    if (await tryQuality(guess)) fits = guess;
    else {
      tooBig = guess;
      if (guess === floor) break;
    }
  }
  return { best, smallestSize: Math.min(...sizes.values()), encodes };
}

function predict(sizes: Map<number, number>, tooBig: number, fits: number | undefined, maxBytes: number) {
  const bigSize = sizes.get(tooBig) ?? maxBytes * 2;
  if (fits === undefined) {
    // One point: assume size halves every QUALITY_PER_HALVING quality points.
    return Math.floor(tooBig - Math.log2(bigSize / maxBytes) * QUALITY_PER_HALVING);
  }
  // Two points: secant on log(size), rounded down to land on the fitting side.
  const fitSize = sizes.get(fits) ?? maxBytes / 2;
  const t = Math.log(maxBytes / fitSize) / Math.log(bigSize / fitSize);
  return Math.floor(fits + t * (tooBig - fits));
}
