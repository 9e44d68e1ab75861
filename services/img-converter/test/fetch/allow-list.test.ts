import { describe, expect, it } from "vitest";
import { parseIp } from "../../src/fetch/address-policy";
import { compileAllowList, parsePolicyAllowList } from "../../src/fetch/allow-list";

const ip = (text: string) => {
  const parsed = parseIp(text);
  if (!parsed) throw new Error(text);
  return parsed;
};

describe("parsePolicyAllowList", () => {
  it("splits, trims and drops empty entries", () => {
    expect(parsePolicyAllowList("")).toEqual([]);
    expect(parsePolicyAllowList(" a.example:1 , 10.0.0.0/8,,[::1]:9000, fd00::/8 ")).toEqual([
      "a.example:1",
      "10.0.0.0/8",
      "[::1]:9000",
      "fd00::/8",
    ]);
  });

  it.each([
    "localhost",
    "localhost:0",
    "localhost:65536",
    "::1:9000",
    "[localhost]:80",
    "[127.0.0.1]:80",
    "10.0.0.0/33",
    "fd00::/129",
    "not a host:80",
    "http://a.example:80",
    "0177.0.0.1:80",
    "a.example:80/8",
  ])("refuses %j, naming it", (entry) => {
    expect(() => parsePolicyAllowList(`ok.example:1, ${entry}`)).toThrow(entry);
  });
});

describe("allow-list matching", () => {
  const allow = compileAllowList([
    "Images.Internal:8080",
    "127.0.0.1:9000",
    "[::1]:9001",
    "10.0.0.0/8",
    "fd00::/8",
  ]);

  it("matches host:port entries by host (case-insensitive) and exact port", () => {
    expect(allow.allowsHost("images.internal", 8080)).toBe(true);
    expect(allow.allowsHost("IMAGES.INTERNAL", 8080)).toBe(true);
    expect(allow.allowsHost("images.internal", 8081)).toBe(false);
    expect(allow.allowsHost("other.internal", 8080)).toBe(false);
    expect(allow.allowsHost("0:0::1", 9001)).toBe(true);
    expect(allow.allowsHost("::1", 9000)).toBe(false);
  });

  it("matches IP host:port entries and CIDR entries by address", () => {
    expect(allow.allowsAddress(ip("127.0.0.1"), 9000)).toBe(true);
    expect(allow.allowsAddress(ip("::ffff:127.0.0.1"), 9000)).toBe(true);
    expect(allow.allowsAddress(ip("127.0.0.1"), 9001)).toBe(false);
    expect(allow.allowsAddress(ip("10.20.30.40"), 1)).toBe(true);
    expect(allow.allowsAddress(ip("::ffff:10.20.30.40"), 1)).toBe(true);
    expect(allow.allowsAddress(ip("11.0.0.1"), 1)).toBe(false);
    expect(allow.allowsAddress(ip("fd12::1"), 443)).toBe(true);
    expect(allow.allowsAddress(ip("fc00::1"), 443)).toBe(false);
  });
});
