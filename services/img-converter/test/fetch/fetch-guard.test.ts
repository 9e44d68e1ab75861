import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  closeAll,
  closeFetchers,
  expectAppError,
  fakeLookup,
  notFoundLookup,
  scriptedLookup,
  startServer,
  type TestServer,
  testFetcher,
} from "./support";

afterEach(closeFetchers);

describe("literal and loopback hosts are refused before any byte is sent", () => {
  // A real server on loopback: if the guard failed, these fetches would reach it.
  let local: TestServer;
  let local6: TestServer;
  beforeAll(async () => {
    local = await startServer((_req, res) => res.end("leak"));
    local6 = await startServer((_req, res) => res.end("leak"), "::1");
  });
  afterAll(closeAll);

  const reachesLocal = (host: string) => () => `http://${host}:${local.port}/`;
  const cases: [string, () => string, string][] = [
    ["127.0.0.1", reachesLocal("127.0.0.1"), "loopback"],
    ["localhost (real DNS)", reachesLocal("localhost"), "loopback"],
    ["LOCALHOST upper case", reachesLocal("LOCALHOST"), "loopback"],
    ["[::1]", () => `http://[::1]:${local6.port}/`, "loopback"],
    ["0.0.0.0", reachesLocal("0.0.0.0"), "unspecified"],
    ["[::ffff:127.0.0.1]", reachesLocal("[::ffff:127.0.0.1]"), "ipv4Mapped"],
    ["[::ffff:7f00:1]", reachesLocal("[::ffff:7f00:1]"), "ipv4Mapped"],
    ["decimal 2130706433", reachesLocal("2130706433"), "loopback"],
    ["hex 0x7f000001", reachesLocal("0x7f000001"), "loopback"],
    ["short hex 0x7f.1", reachesLocal("0x7f.1"), "loopback"],
    ["octal 0177.0.0.1", reachesLocal("0177.0.0.1"), "loopback"],
    ["127.1.2.3", reachesLocal("127.1.2.3"), "loopback"],
  ];

  it.each(cases)("%s -> 403", async (_name, url, label) => {
    const err = await expectAppError(testFetcher().fetch(url()), 403, "source_forbidden");
    expect(err.message).toContain("a private address");
    expect(err.detail?.source_range).toContain(label);
    expect(err.message).not.toMatch(/\n\s+at /);
    expect(local.hits + local6.hits).toBe(0);
  });
});

describe("private, link-local, multicast and reserved addresses -> 403", () => {
  it.each([
    ["http://10.0.0.1/", "private"],
    ["http://172.16.0.1/", "private"],
    ["http://192.168.1.1/", "private"],
    ["http://169.254.169.254/latest/meta-data/", "linkLocal"],
    ["http://100.64.0.1/", "carrierGradeNat"],
    ["http://224.0.0.1/", "multicast"],
    ["http://255.255.255.255/", "broadcast"],
    ["http://240.0.0.1/", "reserved"],
    ["https://[fc00::1]/", "uniqueLocal"],
    ["http://[fd12:3456::1]:8080/", "uniqueLocal"],
    ["http://[fe80::1]/", "linkLocal"],
    ["http://[ff02::1]/", "multicast"],
    ["http://[::]/", "unspecified"],
    ["http://[::ffff:10.0.0.1]/", "ipv4Mapped"],
    ["http://[64:ff9b::a9fe:a9fe]/", "rfc6052"],
    ["http://[2002:a00:1::]/", "6to4"],
  ])("%s", async (url, label) => {
    const err = await expectAppError(testFetcher().fetch(url), 403, "source_forbidden");
    expect(err.message).toContain("a private address");
    expect(err.detail?.source_range).toContain(label);
  });
});

describe("names are judged on what they resolve to, at connect time", () => {
  afterEach(closeAll);

  it("refuses a public-looking name whose lookup answers a private address", async () => {
    const lookup = fakeLookup("10.1.2.3");
    const err = await expectAppError(
      testFetcher({ lookup }).fetch("http://images.example.test/cat.jpg"),
      403,
      "source_forbidden",
    );
    // The caller learns that the name is private, not where it points; the log gets the address.
    expect(err.message).toBe(
      "source host images.example.test resolves to a private address, which is not allowed",
    );
    expect(err.detail).toMatchObject({ source_address: "10.1.2.3", source_range: "private" });
    expect(lookup.calls).toEqual(["images.example.test"]);
  });

  it("refuses a name with one public and one private answer", async () => {
    const server = await startServer((_req, res) => res.end("leak"));
    const lookup = fakeLookup("93.184.215.14", "127.0.0.1");
    await expectAppError(
      testFetcher({ lookup }).fetch(`http://images.example.test:${server.port}/`),
      403,
      "source_forbidden",
    );
    expect(server.hits).toBe(0);
  });

  it("lets an allow-listed host:port through whatever it resolves to", async () => {
    const server = await startServer((req, res) => res.end(`host=${req.headers.host}`));
    const lookup = fakeLookup("127.0.0.1");
    const fetcher = testFetcher({ lookup, allowPrivate: [`images.example.test:${server.port}`] });
    const result = await fetcher.fetch(`http://Images.Example.TEST:${server.port}/a.jpg`);
    expect(result.bytes.toString()).toBe(`host=images.example.test:${server.port}`);
  });

  it("lets exactly the listed host:port through: same host on another port is refused", async () => {
    const listed = await startServer((_req, res) => res.end("ok"));
    const other = await startServer((_req, res) => res.end("leak"));
    const fetcher = testFetcher({ allowPrivate: [`127.0.0.1:${listed.port}`, `localhost:${listed.port}`] });
    expect((await fetcher.fetch(listed.url())).bytes.toString()).toBe("ok");
    expect((await fetcher.fetch(`http://localhost:${listed.port}/`)).bytes.toString()).toBe("ok");
    await expectAppError(fetcher.fetch(other.url()), 403, "source_forbidden");
    await expectAppError(fetcher.fetch(`http://localhost:${other.port}/`), 403, "source_forbidden");
    expect(other.hits).toBe(0);
  });

  it("allows [::1]:port entries and CIDR entries on any port", async () => {
    const v6 = await startServer((_req, res) => res.end("six"), "::1");
    const v4 = await startServer((_req, res) => res.end("four"));
    const fetcher = testFetcher({ allowPrivate: [`[::1]:${v6.port}`, "127.0.0.0/8"] });
    expect((await fetcher.fetch(v6.url())).bytes.toString()).toBe("six");
    expect((await fetcher.fetch(v4.url())).bytes.toString()).toBe("four");
    expect((await fetcher.fetch(`http://localhost:${v4.port}/`)).bytes.toString()).toBe("four");
  });

  it("re-checks every new connection, so a rebinding answer is refused", async () => {
    // 127.0.0.2 is allowed via CIDR, 127.0.0.3 is not; the server closes each connection.
    const server = await startServer(
      (_req, res) => res.writeHead(200, { connection: "close" }).end("ok"),
      "127.0.0.2",
    );
    const lookup = scriptedLookup((call) => [call === 0 ? "127.0.0.2" : "127.0.0.3"]);
    const fetcher = testFetcher({ lookup, allowPrivate: ["127.0.0.2/32"] });
    const url = `http://rebind.example.test:${server.port}/`;
    expect((await fetcher.fetch(url)).bytes.toString()).toBe("ok");
    await expectAppError(fetcher.fetch(url), 403, "source_forbidden");
    expect(lookup.calls).toHaveLength(2);
    expect(server.hits).toBe(1);
  });

  it("maps a DNS failure (ENOTFOUND) to 502 source_error", async () => {
    const err = await expectAppError(
      testFetcher({ lookup: notFoundLookup }).fetch("http://nowhere.example.test/"),
      502,
      "source_error",
    );
    expect(err.message).toContain("ENOTFOUND");
    expect(err.cause).toBeDefined();
  });
});

describe("URL shape -> 400 invalid_url", () => {
  it.each([
    "file:///etc/passwd",
    "gopher://127.0.0.1:70/_x",
    "ftp://example.test/a.jpg",
    "data:image/png;base64,iVBORw0KGgo=",
    "javascript:alert(1)",
    "ws://example.test/",
    "not a url",
    "",
    "//example.test/a.jpg",
    "http://",
    "http://user:pass@example.test/a.jpg",
    "http://user@example.test/a.jpg",
  ])("%j", async (url) => {
    await expectAppError(testFetcher({ lookup: notFoundLookup }).fetch(url), 400, "invalid_url");
  });
});
