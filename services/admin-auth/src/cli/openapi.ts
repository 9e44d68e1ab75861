/**
 * Writes the gateway's OpenAPI document to the file named on the command line (or stdout), for
 * `pnpm lint:openapi` and for generating clients.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildOpenApiDocument } from "../openapi-document";

const document = `${JSON.stringify(await buildOpenApiDocument(), null, 2)}\n`;
const out = process.argv[2];
if (out) {
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, document);
} else {
  process.stdout.write(document);
}
