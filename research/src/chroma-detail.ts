/**
 * How much colour detail 4:2:0 subsampling would throw away: the RMS difference, in 8-bit levels,
 * between the Cb/Cr planes (BT.601, as JPEG) and the same planes averaged over 2x2 blocks. Photos
 * score low (colour changes slowly under the luma detail); graphics, text on colour and saturated
 * fine patterns score high. Costs one pass over the pixels.
 */
export function chromaDetail(data: Uint8Array, width: number, height: number, channels: number): number {
  if (channels < 3) return 0;
  const w2 = width & ~1;
  const h2 = height & ~1;
  let sum = 0;
  let n = 0;
  const cb = new Float64Array(4);
  const cr = new Float64Array(4);
  for (let y = 0; y < h2; y += 2) {
    for (let x = 0; x < w2; x += 2) {
      let mb = 0;
      let mr = 0;
      for (let k = 0; k < 4; k++) {
        const i = ((y + (k >> 1)) * width + x + (k & 1)) * channels;
        const r = data[i] as number;
        const g = data[i + 1] as number;
        const b = data[i + 2] as number;
        const vb = -0.168736 * r - 0.331264 * g + 0.5 * b;
        const vr = 0.5 * r - 0.418688 * g - 0.081312 * b;
        cb[k] = vb;
        cr[k] = vr;
        mb += vb;
        mr += vr;
      }
      mb /= 4;
      mr /= 4;
      for (let k = 0; k < 4; k++) sum += ((cb[k] as number) - mb) ** 2 + ((cr[k] as number) - mr) ** 2;
      n += 8;
    }
  }
  return n ? Math.sqrt(sum / n) : 0;
}

/** The Cb and Cr planes (BT.601 full range, offset 128) of interleaved RGB pixels. */
export function chromaPlanes(data: Uint8Array, width: number, height: number, channels: number) {
  const n = width * height;
  const cb = new Uint8Array(n);
  const cr = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += channels) {
    const r = data[j] as number;
    const g = data[j + 1] as number;
    const b = data[j + 2] as number;
    cb[i] = Math.max(0, Math.min(255, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
    cr[i] = Math.max(0, Math.min(255, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
  }
  return { cb: { data: cb, width, height }, cr: { data: cr, width, height } };
}
