/**
 * A JPEG with every segment a reader does not need for its pixels and colours removed, without
 * re-encoding: EXIF (GPS, camera serial, Artist), XMP, IPTC, comments, thumbnails, extra pictures
 * (MPF) and any bytes after the end of the image. Kept: the frame, tables and scans byte for byte,
 * JFIF (APP0), the ICC profile (APP2) and Adobe's colour-transform flag (APP14).
 * Written by hand: the npm strippers (exif-be-gone, exifremove) remove only EXIF/XMP APP1 segments,
 * keep comments, IPTC and trailing bytes, and none keeps a list of what may stay.
 * Answers undefined when the bytes are not a well-formed JPEG (the caller re-encodes it instead).
 */
export function stripJpegMetadata(jpeg: Buffer): Buffer | undefined {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== SOI) return undefined;
  const kept: Buffer[] = [jpeg.subarray(0, 2)];
  let pos = 2;
  for (;;) {
    const at = readMarker(jpeg, pos);
    if (!at) return undefined;
    const { marker, start } = at;
    pos = start + 2;
    if (marker === EOI) {
      kept.push(jpeg.subarray(start, pos));
      return Buffer.concat(kept);
    }
    if (isStandalone(marker)) {
      kept.push(jpeg.subarray(start, pos));
      continue;
    }
    if (pos + 2 > jpeg.length) return undefined;
    const end = pos + jpeg.readUInt16BE(pos);
    if (end < pos + 2 || end > jpeg.length) return undefined;
    if (mayKeep(marker, jpeg.subarray(pos + 2, end))) kept.push(jpeg.subarray(start, end));
    pos = end;
    if (marker === SOS) {
      const dataEnd = entropyDataEnd(jpeg, pos);
      if (dataEnd === undefined) return undefined;
      kept.push(jpeg.subarray(pos, dataEnd));
      pos = dataEnd;
    }
  }
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const COM = 0xfe;

/** The next marker at `pos` (after any 0xFF fill bytes), or undefined when something else is there. */
function readMarker(jpeg: Buffer, pos: number): { marker: number; start: number } | undefined {
  if (jpeg[pos] !== 0xff) return undefined;
  let p = pos;
  while (jpeg[p + 1] === 0xff) p++;
  const marker = jpeg[p + 1];
  if (marker === undefined || marker === 0x00 || marker === SOI) return undefined;
  return { marker, start: p };
}

/** Markers with no length field: restarts and TEM. */
function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

/** Of the application segments and comments, only what decoding the colours needs stays. */
function mayKeep(marker: number, payload: Buffer): boolean {
  if (marker === 0xe0) return startsWith(payload, "JFIF\0");
  if (marker === 0xe2) return startsWith(payload, "ICC_PROFILE\0");
  if (marker === 0xee) return startsWith(payload, "Adobe");
  return !(marker >= 0xe0 && marker <= 0xef) && marker !== COM;
}

function startsWith(payload: Buffer, tag: string): boolean {
  return payload.subarray(0, tag.length).toString("latin1") === tag;
}

/** Entropy-coded data runs to the first 0xFF that is neither stuffing (0xFF00) nor a restart marker. */
function entropyDataEnd(jpeg: Buffer, from: number): number | undefined {
  let p = jpeg.indexOf(0xff, from);
  while (p !== -1) {
    const next = jpeg[p + 1];
    if (next === undefined) return undefined;
    if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7)) return p;
    p = jpeg.indexOf(0xff, p + 2);
  }
  return undefined;
}
