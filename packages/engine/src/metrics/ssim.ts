/**
 * SSIM over 8-bit luma, in the form x264 and ffmpeg use: statistics over 4x4 blocks, combined into
 * overlapping 8x8 windows at a stride of 4 (uniform weights, not the 11x11 gaussian of Wang et al.).
 *
 * Why our own: no maintained npm SSIM takes raw buffers at the sizes we need (ssim.js is not
 * installed, works on ImageData and its gaussian mode is slow on 18 MP images); this one is O(pixels),
 * allocates two small row buffers, and scores a 4 MP pair in a few tens of milliseconds. The 8x8
 * windows track the JPEG block grid, which is where the artefacts we compare live.
 */

/** 8-bit luma plane. */
export interface Plane {
  data: Uint8Array;
  width: number;
  height: number;
}

const C1 = (0.01 * 255) ** 2 * 64 * 64;
const C2 = (0.03 * 255) ** 2 * 64 * 63;

/** BT.601 luma (the Y of JPEG's YCbCr) of interleaved 8-bit pixels with 1 to 4 channels. */
export function lumaOf(data: Uint8Array, width: number, height: number, channels: number): Plane {
  const n = width * height;
  if (channels === 1) return { data: data.subarray(0, n), width, height };
  const out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += channels) {
    // 0.299, 0.587, 0.114 in 16-bit fixed point, rounded.
    out[i] = (19595 * (data[j] ?? 0) + 38470 * (data[j + 1] ?? 0) + 7471 * (data[j + 2] ?? 0) + 32768) >> 16;
  }
  return { data: out, width, height };
}

/** Mean SSIM of two planes of the same size, in [-1, 1] (1 = identical). Needs at least 8x8 pixels. */
export function ssim(a: Plane, b: Plane): number {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`ssim: sizes differ (${a.width}x${a.height} vs ${b.width}x${b.height})`);
  }
  const bw = a.width >> 2;
  const bh = a.height >> 2;
  if (bw < 2 || bh < 2) {
    throw new RangeError("ssim: images must be at least 8x8 pixels");
  }
  // Per 4x4 block: sum a, sum b, sum a^2 + b^2, sum ab — for two block rows at a time.
  let prev = new Float64Array(bw * 4);
  let cur = new Float64Array(bw * 4);
  let total = 0;
  blockSums(a, b, 0, prev);
  for (let by = 1; by < bh; by++) {
    blockSums(a, b, by, cur);
    total = windowRow(prev, cur, bw, total);
    [prev, cur] = [cur, prev];
  }
  return total / ((bw - 1) * (bh - 1));
}

/** The four sums of every 4x4 block in block row `by`, into `out` (four values per block). */
function blockSums(a: Plane, b: Plane, by: number, out: Float64Array): void {
  const ad = a.data;
  const bd = b.data;
  const bw = a.width >> 2;
  out.fill(0);
  for (let y = by * 4; y < by * 4 + 4; y++) {
    const row = y * a.width;
    for (let bx = 0; bx < bw; bx++) {
      let s1 = 0;
      let s2 = 0;
      let ss = 0;
      let s12 = 0;
      const x0 = row + bx * 4;
      for (let x = x0; x < x0 + 4; x++) {
        const p = ad[x] as number;
        const q = bd[x] as number;
        s1 += p;
        s2 += q;
        ss += p * p + q * q;
        s12 += p * q;
      }
      const o = bx * 4;
      out[o] = (out[o] as number) + s1;
      out[o + 1] = (out[o + 1] as number) + s2;
      out[o + 2] = (out[o + 2] as number) + ss;
      out[o + 3] = (out[o + 3] as number) + s12;
    }
  }
}

/** `total` plus the SSIM of every 8x8 window (2x2 blocks) spanning two block rows, added in order. */
function windowRow(prev: Float64Array, cur: Float64Array, bw: number, sum: number): number {
  let total = sum;
  const at = (o: number) =>
    (prev[o] as number) + (prev[o + 4] as number) + (cur[o] as number) + (cur[o + 4] as number);
  for (let bx = 0; bx < bw - 1; bx++) {
    const o = bx * 4;
    const s1 = at(o);
    const s2 = at(o + 1);
    const ss = at(o + 2);
    const s12 = at(o + 3);
    // Window of 64 pixels; the same integer-scaled formula as x264's ssim_end1.
    const fs1 = s1 * s2;
    const fs2 = s1 * s1 + s2 * s2;
    const vars = ss * 64 - fs2;
    const covar = s12 * 64 - fs1;
    total += ((2 * fs1 + C1) * (2 * covar + C2)) / ((fs2 + C1) * (vars + C2));
  }
  return total;
}
