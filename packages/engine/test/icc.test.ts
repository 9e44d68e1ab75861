import { readFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { isStandardSrgb } from "../src/icc";
import { decodeSource } from "../src/prepare";
import { probe } from "../src/probe";
import { CORPUS_DIR } from "./corpus";

const LIMIT = 50_000_000;
const corpus = (file: string) => readFile(path.join(CORPUS_DIR, file));

/** A flat 64x64 JPEG of one colour, tagged with one of sharp's bundled profiles. */
const tagged = (profile: "p3" | "srgb", rgb: [number, number, number]) =>
  sharp({ create: { width: 64, height: 64, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .jpeg({ quality: 100 })
    .withIccProfile(profile)
    .toBuffer();

describe("embedded sRGB profiles", () => {
  it("recognises the standard sRGB IEC61966-2.1 profile, and nothing else", async () => {
    const kite = await corpus("plasma-kite.jpg");
    expect(isStandardSrgb((await sharp(kite).metadata()).icc)).toBe(true);
    expect((await probe(kite, LIMIT)).srgbProfile).toBe(true);
    const p3 = await tagged("p3", [100, 150, 100]);
    expect(isStandardSrgb((await sharp(p3).metadata()).icc)).toBe(false);
    expect((await probe(p3, LIMIT)).srgbProfile).toBe(false);
    expect(isStandardSrgb(undefined)).toBe(false);
    expect(isStandardSrgb(Buffer.from("not a profile at all, but long enough to read a header from"))).toBe(
      false,
    );
    expect((await probe(await corpus("mate-aqua.jpg"), LIMIT)).srgbProfile).toBe(false); // no profile
  });

  it("skipping the standard profile gives the very pixels converting through it gives", async () => {
    for (const file of ["plasma-kite.jpg", "exif-rot6-kite.jpg", "progressive-path.jpg"]) {
      const input = await corpus(file);
      const source = await probe(input, LIMIT);
      expect(source.srgbProfile, file).toBe(true);
      const size = { width: source.displayWidth, height: source.displayHeight };
      const skipped = await decodeSource(input, source, size, LIMIT);
      const converted = await decodeSource(input, { ...source, srgbProfile: false }, size, LIMIT);
      expect(skipped.data.equals(converted.data), file).toBe(true);
    }
  });

  it("still converts through any other profile", async () => {
    // A Display P3 colour is not the same sRGB numbers: the decode must change them.
    const input = await tagged("p3", [100, 150, 100]);
    const source = await probe(input, LIMIT);
    const { data } = await decodeSource(input, source, { width: 64, height: 64 }, LIMIT);
    const [r, g, b] = [data[0] as number, data[1] as number, data[2] as number];
    const asStored = await sharp(input, { ignoreIcc: true }).raw().toBuffer();
    const distance =
      Math.abs(r - (asStored[0] as number)) +
      Math.abs(g - (asStored[1] as number)) +
      Math.abs(b - (asStored[2] as number));
    expect(distance).toBeGreaterThan(6);
  });
});
