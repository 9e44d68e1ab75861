import { describe, expect, it } from "vitest";
import { bearerToken, bodyCredentials, parseBasicAuth } from "../src/auth/credentials";
import { tokenSubject } from "../src/auth/token-claims";
import { decodeBase64Image } from "../src/base64-image";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("credential parsing", () => {
  it("reads Basic credentials, keeping colons in the password", () => {
    expect(parseBasicAuth(`Basic ${b64("cms:pa:ss")}`)).toEqual({ username: "cms", password: "pa:ss" });
    expect(parseBasicAuth(`basic ${b64("a:b")}`)).toEqual({ username: "a", password: "b" });
  });

  it("refuses malformed Basic headers", () => {
    expect(parseBasicAuth(undefined)).toBeUndefined();
    expect(parseBasicAuth(`Basic ${b64("no-colon")}`)).toBeUndefined();
    expect(parseBasicAuth("Basic !!!")).toBeUndefined();
    expect(parseBasicAuth(`Bearer ${b64("a:b")}`)).toBeUndefined();
  });

  it("reads Bearer tokens and body credentials", () => {
    expect(bearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bodyCredentials({ user: { username: "u", password: "p" } })).toEqual({
      username: "u",
      password: "p",
    });
    expect(bodyCredentials({ user: { username: "u", password: 5 } })).toBeUndefined();
    expect(bodyCredentials("text")).toBeUndefined();
  });

  it("reads a token's sub as a user id only when it is plain digits of a safe integer", () => {
    const claims = (sub: unknown, cv: unknown = 1) =>
      ({ sub, cv, username: "u", role: "user", iat: 1, exp: 2 }) as Parameters<typeof tokenSubject>[0];
    expect(tokenSubject(claims("42", 3))).toEqual({ userId: 42, credentialsVersion: 3 });
    for (const sub of ["1e0", " 1", "+1", "01", "0x1", "1.0", "", "9007199254740993", 1, "-1", "0"]) {
      expect(tokenSubject(claims(sub)), String(sub)).toBeUndefined();
    }
    for (const cv of [null, "1", 0, 1.5]) expect(tokenSubject(claims("1", cv))).toBeUndefined();
  });
});

describe("decodeBase64Image", () => {
  const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 250]);
  it("decodes standard, unpadded, url-safe and data: URL forms", () => {
    expect(decodeBase64Image(bytes.toString("base64"))).toEqual(bytes);
    expect(decodeBase64Image(bytes.toString("base64").replace(/=+$/, ""))).toEqual(bytes);
    expect(decodeBase64Image(bytes.toString("base64url"))).toEqual(bytes);
    expect(decodeBase64Image(`data:image/jpeg;base64,${bytes.toString("base64")}`)).toEqual(bytes);
    expect(decodeBase64Image(bytes.toString("base64").replace(/(.{4})/g, "$1\n"))).toEqual(bytes);
  });

  it("refuses text that is not base64 instead of half-decoding it", () => {
    for (const bad of ["", "***", "abc$def", "a"]) {
      expect(() => decodeBase64Image(bad)).toThrowError(
        expect.objectContaining({ status: 400, code: "invalid_base64" }),
      );
    }
  });
});
