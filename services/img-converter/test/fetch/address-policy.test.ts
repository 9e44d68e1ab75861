import { describe, expect, it } from "vitest";
import { classifyAddress, parseIp } from "../../src/fetch/address-policy";

function classify(text: string) {
  const ip = parseIp(text);
  if (!ip) throw new Error(`not an IP: ${text}`);
  return classifyAddress(ip);
}

describe("address classification", () => {
  it.each([
    "8.8.8.8",
    "93.184.215.14",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    "::ffff:8.8.8.8",
    "2002:808:808::1",
    "64:ff9b::808:808",
  ])("%s is public", (text) => {
    expect(classify(text).public).toBe(true);
  });

  it.each([
    ["127.0.0.1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["10.255.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.0.1", "private"],
    ["169.254.169.254", "linkLocal"],
    ["100.127.0.1", "carrierGradeNat"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["192.0.2.1", "reserved"],
    ["198.18.0.1", "reserved"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "linkLocal"],
    ["fc00::1", "uniqueLocal"],
    ["fd00:ec2::254", "uniqueLocal"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "ipv4Mapped (embedded loopback)"],
    ["::ffff:169.254.169.254", "ipv4Mapped (embedded linkLocal)"],
    ["::ffff:0:10.0.0.1", "rfc6145 (embedded private)"],
    ["64:ff9b::7f00:1", "rfc6052 (embedded loopback)"],
    ["64:ff9b:1::a00:1", "rfc6052"],
    ["2002:c0a8:101::1", "6to4 (embedded private)"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo (embedded reserved)"],
    ["2001:db8::1", "reserved"],
    ["::7f00:1", "reserved"],
    ["100::1", "discard"],
    ["fec0::1", "deprecatedSiteLocal"],
  ])("%s is %s", (text, label) => {
    expect(classify(text)).toEqual({ public: false, label });
  });

  it("treats only what node:net calls an IP as a literal", () => {
    expect(parseIp("2130706433")).toBeUndefined();
    expect(parseIp("0x7f.1")).toBeUndefined();
    expect(parseIp("example.test")).toBeUndefined();
    expect(parseIp("[::1]")?.toString()).toBe("::1");
  });
});
