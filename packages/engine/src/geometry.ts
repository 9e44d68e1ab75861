/** Pixel dimensions, always integers >= 1. */
export interface Size {
  width: number;
  height: number;
}

/** The largest size that fits in the box with the source's proportions; never larger than the source. */
export function fitInside(source: Size, maxWidth?: number, maxHeight?: number): Size {
  const scale = Math.min(
    1,
    maxWidth ? maxWidth / source.width : 1,
    maxHeight ? maxHeight / source.height : 1,
  );
  return scaleSize(source, scale);
}

/** The size with the source's proportions whose long side is the longest that keeps to `maxPixels`; never larger than the source. */
export function fitPixels(source: Size, maxPixels: number): Size {
  let size = scaleSize(source, Math.sqrt(maxPixels / (source.width * source.height)));
  const long = Math.max(source.width, source.height);
  // Rounding may land a pixel row over: shorten the long side until the product fits.
  for (let side = Math.max(size.width, size.height); size.width * size.height > maxPixels && side > 1; ) {
    side--;
    size = scaleSize(source, side / long);
  }
  return size;
}

/**
 * Scale both sides by one factor. The long side is rounded and the short side derived from it,
 * so each side stays within 1 px of the exact proportion.
 */
export function scaleSize(source: Size, scale: number): Size {
  if (scale >= 1) return { ...source };
  const landscape = source.width >= source.height;
  const long = landscape ? source.width : source.height;
  const short = landscape ? source.height : source.width;
  const newLong = Math.max(1, Math.round(long * scale));
  const newShort = Math.max(1, Math.round((short * newLong) / long));
  return landscape ? { width: newLong, height: newShort } : { width: newShort, height: newLong };
}
