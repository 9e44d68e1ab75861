import { afterEach, describe, expect, it } from "vitest";
import { parseIp } from "../../src/fetch/address-policy";
import { compileDestinationRules, parseAllowedPorts } from "../../src/fetch/destination-rules";
import { closeAll, closeFetchers, expectAppError, fakeLookup, startServer, testFetcher } from "./support";

afterEach(async () => {
  await closeFetchers();
  await closeAll();
});

/** A public address: were the port rule missing, the fetcher would try to connect to it. */
const PUBLIC = "93.184.215.14";

const ip = (text: string) => {
  const parsed = parseIp(text);
  if (!parsed) throw new Error(text);
  return parsed;
};

describe("a public source is fetched on port 80 or 443 only (ALLOWED_SOURCE_PORTS)", () => {
  it.each([
    ["a name resolving publicly, port 25", "http://mail.example.test:25/x.jpg"],
    ["a name resolving publicly, port 8080", "http://images.example.test:8080/x.jpg"],
    ["a public IP literal, port 22", `http://${PUBLIC}:22/`],
  ])("%s -> 403 before connecting", async (_name, url) => {
    const lookup = fakeLookup(PUBLIC);
    const err = await expectAppError(testFetcher({ lookup }).fetch(url), 403, "source_forbidden");
    expect(err.message).toMatch(
      /^source port \d+ is not allowed; public sources are fetched on ports 80, 443$/,
    );
  });

  it("refuses a redirect from an allowed source to a public host's other port; allow-listed sources use any port", async () => {
    const source = await startServer((_req, res) =>
      res.writeHead(302, { location: "http://db.example.test:5432/" }).end(),
    );
    const fetcher = testFetcher({ lookup: fakeLookup(PUBLIC), allowPrivate: [`127.0.0.1:${source.port}`] });
    const err = await expectAppError(fetcher.fetch(source.url()), 403, "source_forbidden");
    expect(err.message).toContain("source port 5432");
    // The allow-list entry names the port, or a CIDR trusts its range: the port rule is for public hosts.
    const listed = await startServer((_req, res) => res.end("ok"));
    for (const allowPrivate of [[`127.0.0.1:${listed.port}`], ["127.0.0.0/8"]]) {
      const only443 = testFetcher({ allowPrivate, allowedPorts: [443] });
      expect((await only443.fetch(listed.url())).bytes.toString()).toBe("ok");
    }
  });

  it("decides by address and port: 80 and 443 by default, the configured list otherwise", () => {
    const to = (port: number) => ({ host: "images.example.test", port });
    const standard = compileDestinationRules([], [80, 443]);
    expect(() => standard.checkAddress(to(80), ip(PUBLIC), true)).not.toThrow();
    expect(() =>
      standard.checkAddress(to(443), ip("2606:2800:21f:cb07:6820:80da:af6b:8b2c"), true),
    ).not.toThrow();
    expect(() => standard.checkAddress(to(8080), ip(PUBLIC), true)).toThrow("source port 8080");
    const extra = compileDestinationRules([], [80, 443, 8080]);
    expect(() => extra.checkAddress(to(8080), ip(PUBLIC), true)).not.toThrow();
    // A private address is refused as private whatever its port: the refusal names no address.
    expect(() => extra.checkAddress(to(80), ip("10.0.0.1"), true)).toThrow(
      "source host images.example.test resolves to a private address, which is not allowed",
    );
  });

  it("reads ALLOWED_SOURCE_PORTS, refusing what is not a port", () => {
    expect(parseAllowedPorts(" 80, 443 ,8080,")).toEqual([80, 443, 8080]);
    for (const bad of ["0", "65536", "http", "80-90", "-1"]) {
      expect(() => parseAllowedPorts(`443,${bad}`)).toThrow(`"${bad}"`);
    }
  });
});
