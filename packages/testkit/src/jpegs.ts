/** JPEGs built for tests: what a hostile or careless source may send, made in a few milliseconds. */
import sharp from "sharp";

/**
 * A mid-grey progressive JPEG of any size, written directly rather than encoded: its DC scan is one
 * 0 bit per 8x8 block and its AC scan a few end-of-band runs, so 7070 x 7070 pixels take ~100 KB
 * (a "small" source of 50 MP) and no encoder time.
 */
export function flatGreyJpeg(width: number, height: number): Buffer {
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  // 8 bits, height, width, one component (id 1, no subsampling, quant table 0).
  const frame = [8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0];
  const sixteen = (counts: Record<number, number>) =>
    Array.from({ length: 16 }, (_, i) => counts[i + 1] ?? 0);
  const eobSymbols = Array.from({ length: 15 }, (_, n) => n << 4);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xdb, [0, ...new Array(64).fill(1)]),
    segment(0xc2, frame),
    segment(0xc4, [0x00, ...sixteen({ 1: 1 }), 0]), // DC: difference 0 is the code "0"
    segment(0xc4, [0x10, ...sixteen({ 4: 15 }), ...eobSymbols]), // AC: EOBn is n in four bits
    segment(0xda, [1, 1, 0x00, 0, 0, 0]),
    dcScan(blocks),
    segment(0xda, [1, 1, 0x00, 1, 63, 0]),
    acScan(blocks),
    Buffer.from([0xff, 0xd9]),
  ]);
}

function segment(marker: number, payload: number[]): Buffer {
  const length = payload.length + 2;
  return Buffer.from([0xff, marker, length >> 8, length & 255, ...payload]);
}

/** Every block's DC difference is 0: one 0 bit each, padded with 1 bits. */
function dcScan(blocks: number): Buffer {
  const bytes = Buffer.alloc(Math.ceil(blocks / 8));
  if (blocks % 8) bytes[bytes.length - 1] = 0xff >> (blocks % 8);
  return bytes;
}

/** Runs of at most 32767 blocks, each an EOBn symbol (four bits) and n bits of the run past 2^n. */
function acScan(blocks: number): Buffer {
  const bits: number[] = [];
  const put = (value: number, count: number) => {
    for (let i = count - 1; i >= 0; i--) bits.push((value >> i) & 1);
  };
  for (let left = blocks; left > 0; ) {
    const run = Math.min(32767, left);
    const n = Math.floor(Math.log2(run));
    put(n, 4);
    put(run - 2 ** n, n);
    left -= run;
  }
  while (bits.length % 8) bits.push(1);
  const out: number[] = [];
  for (let i = 0; i < bits.length; i += 8) {
    const byte = bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0);
    out.push(byte);
    if (byte === 0xff) out.push(0x00); // byte stuffing
  }
  return Buffer.from(out);
}

/** What the tagged JPEG carries that no reader may get back. */
export const SECRETS = {
  artist: "Jane Q. Photographer",
  serial: "SN-4711-0815",
  xmpCreator: "Xmp Creator Name",
  iptcByline: "Iptc Byline Name",
  comment: "shot at home, 12 Elm Street",
  trailer: "<html><script>alert(document.cookie)</script></html>",
} as const;

/**
 * A small sRGB JPEG with a Display P3 ICC profile and every kind of metadata a camera or editor
 * leaves: EXIF (Artist, body serial, GPS position), XMP, IPTC (APP13), a comment (COM), and an HTML
 * page appended after the end of the image. `plain` is the same encode with only the profile.
 */
export async function taggedJpeg(): Promise<{ tagged: Buffer; plain: Buffer }> {
  const width = 96;
  const height = 64;
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 37 + (i >> 7) * 11) % 251;
  const base = () => sharp(raw, { raw: { width, height, channels: 3 } }).withIccProfile("p3");
  const plain = await base().jpeg({ quality: 90 }).toBuffer();
  const withExif = await base()
    .withExif({
      IFD0: { Artist: SECRETS.artist },
      IFD2: { BodySerialNumber: SECRETS.serial },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 2964/100" },
    })
    .withXmp(
      `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${SECRETS.xmpCreator}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`,
    )
    .jpeg({ quality: 90 })
    .toBuffer();
  // IPTC in Photoshop's APP13 (8BIM resource 0x0404, record 2:80 By-line) and a comment, right after SOI.
  const byline = Buffer.from(SECRETS.iptcByline, "latin1");
  const iptc = Buffer.concat([Buffer.from([0x1c, 2, 80, 0, byline.length]), byline]);
  const resource = Buffer.concat([
    Buffer.from("Photoshop 3.0\u00008BIM\u0004\u0004\u0000\u0000", "latin1"),
    u32(iptc.length),
    iptc,
  ]);
  return {
    tagged: Buffer.concat([
      withExif.subarray(0, 2),
      segment(0xed, [...resource]),
      segment(0xfe, [...Buffer.from(SECRETS.comment, "latin1")]),
      withExif.subarray(2),
      Buffer.from(SECRETS.trailer, "latin1"),
    ]),
    plain,
  };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** The scans, from the last start-of-scan marker to the end of the image (entropy data never holds FFDA). */
export function scanData(jpeg: Buffer): Buffer {
  const end = jpeg.lastIndexOf(Buffer.from([0xff, 0xd9]));
  return jpeg.subarray(jpeg.lastIndexOf(Buffer.from([0xff, 0xda]), end), end + 2);
}
