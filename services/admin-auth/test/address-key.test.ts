import { describe, expect, it } from "vitest";
import { addressKey } from "../src/auth/login-throttle";

describe("the address failed logins count under", () => {
  it("is the IPv4 address itself, mapped or not", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("is the /64 of an IPv6 address, however it is written", () => {
    const key = addressKey("2001:db8:1:2::1");
    expect(key).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(key);
    expect(addressKey("2001:0db8:0001:0002:0000:0000:0000:0001")).toBe(key);
    expect(addressKey("2001:db8:1:3::1")).not.toBe(key);
  });
});
