import type { Chroma } from "./encode";
import type { Prepared } from "./prepare";

/**
 * Chroma subsampling by what it buys at the budget (docs/decisions/0001-chroma-rule.md): at the budget,
 * 4:2:0 beat 4:4:4 on SSIM over Y, Cb and Cr (0.8/0.1/0.1) for every corpus photo that had to give
 * up quality, and even for saturated coloured text — the bytes 4:4:4 spends on chroma cost more luma
 * quality than they return. 4:4:4 won only where bytes were spare: images that fit at the ceiling
 * quality. So the search runs in 4:2:0, and spare.ts may move an image with bytes to spare to 4:4:4.
 */
export function initialChroma(pixels: Prepared): Chroma {
  return pixels.channels === 1 ? "4:4:4" : "4:2:0";
}
