import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@belfoot/config";
import { describe, expect, it } from "vitest";
import { converterCallTimeoutMs } from "../src/timeouts";

const template = readFileSync(
  path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    "../../../nginx/templates/belfoot.conf.template",
  ),
  "utf8",
);

/** A location's `proxy_read_timeout`, in ms (nginx's `Ns` form, the one the template uses). */
function readTimeoutMs(location: string): number {
  const block = template.match(new RegExp(`location = ${location} \\{([^}]*)\\}`))?.[1];
  if (block === undefined) throw new Error(`no "location = ${location}" block in the nginx template`);
  const seconds = block.match(/proxy_read_timeout (\d+)s;/)?.[1];
  if (seconds === undefined)
    throw new Error(`"location = ${location}" sets no proxy_read_timeout in seconds`);
  return Number(seconds) * 1000;
}

// nginx must wait longer than admin-auth waits for the converter, or callers get nginx's 504 for a
// conversion admin-auth would still answer (or answer with its own JSON 504). Both are set apart.
describe("nginx's read timeout on the routes that call the converter", () => {
  const gatewayWaitsMs = converterCallTimeoutMs(loadConfig({ NODE_ENV: "test" }));

  it.each(["/convert", "/img"])("%s outlasts the gateway's wait for the converter", (location) => {
    expect(readTimeoutMs(location)).toBeGreaterThan(gatewayWaitsMs);
  });
});
