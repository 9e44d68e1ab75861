import { isIP } from "node:net";
import { AppError } from "@belfoot/errors";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { closeFetchers, notFoundLookup, testFetcher } from "./support";

afterAll(closeFetchers);

/**
 * True when the input would make the fetcher open a TCP connection to an IP literal. Random public
 * literals would leave the machine (no network here, so they would just hang), so the random
 * generators skip them and private literals come from their own generator below.
 */
function targetsIpLiteral(input: string): boolean {
  try {
    const url = new URL(input);
    return /^https?:$/.test(url.protocol) && isIP(url.hostname.replace(/^\[(.*)\]$/, "$1")) !== 0;
  } catch {
    return false;
  }
}

const privateLiterals = fc.constantFrom(
  "127.0.0.1",
  "0.0.0.0",
  "10.0.0.1",
  "172.16.5.4",
  "192.168.1.1",
  "169.254.169.254",
  "100.64.0.1",
  "224.0.0.1",
  "2130706433",
  "0x7f000001",
  "0177.0.0.1",
  "0x7f.1",
  "127.1",
  "[::1]",
  "[::]",
  "[fc00::1]",
  "[fe80::1]",
  "[::ffff:127.0.0.1]",
  "[::ffff:a9fe:a9fe]",
  "[64:ff9b::a00:1]",
  "[2002:7f00:1::]",
);

const privateUrls = fc
  .tuple(
    fc.constantFrom("http", "https", "HTTP", "hTtPs"),
    fc.constantFrom("://", ":/", ":", ":\\\\"),
    privateLiterals,
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    fc.webPath(),
  )
  .map(([scheme, sep, host, port, path]) => `${scheme}${sep}${host}${port ? `:${port}` : ""}${path}`);

const webUrls = fc.webUrl({
  validSchemes: ["http", "https", "ftp", "file", "gopher", "ws", "javascript", "data"],
  authoritySettings: {
    withIPv4: true,
    withIPv6: true,
    withIPv4Extended: true,
    withUserInfo: true,
    withPort: true,
  },
  withQueryParameters: true,
  withFragments: true,
});

const randomInputs = fc
  .oneof(
    fc.string(),
    fc.string({ unit: "binary" }),
    webUrls,
    fc.tuple(fc.constantFrom("http://", "https://", "http:", ""), fc.string()).map(([a, b]) => a + b),
  )
  .filter((input) => !targetsIpLiteral(input));

/** Each input with the statuses it may fail with: private literals must always be 403. */
const anything = fc.oneof(
  randomInputs.map((input) => ({ input, statuses: [400, 403, 502] })),
  privateUrls.map((input) => ({ input, statuses: [403] })),
);

describe("any input", () => {
  it("fails only with AppError 400, 403 or 502, and private literals always with 403", async () => {
    const fetcher = testFetcher({ lookup: notFoundLookup });
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(anything, async ({ input, statuses }) => {
        const err = await fetcher.fetch(input).then(
          () => new Error("unexpectedly succeeded"),
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(AppError);
        expect(statuses).toContain((err as AppError).status);
        seen.add((err as AppError).status);
      }),
      { numRuns: 400 },
    );
    expect([...seen].sort()).toEqual([400, 403, 502]);
  });
});
