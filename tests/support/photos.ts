import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { corpusPath, type ImageServer, startImageServer } from "@belfoot/testkit";

// The two photographs the nginx suites convert: a JPEG and a PNG from the shared corpus.
export const kite = await readFile(corpusPath("plasma-kite.jpg"));
export const coffee = await readFile(corpusPath("skimage-coffee.png"));

export const sha256Of = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** A loopback image server answering /kite.jpg and /coffee.png with the photographs above. */
export async function startPhotoServer(): Promise<ImageServer> {
  const images = await startImageServer();
  images.setRoute("/kite.jpg", { body: kite, contentType: "image/jpeg" });
  images.setRoute("/coffee.png", { body: coffee, contentType: "image/png" });
  return images;
}
