import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

// What an unauthenticated caller can make validation cost: the validator stops at the first error and
// an error answer stays small whatever the body, and JSON types are taken as sent (no coercion).

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ env: { LOGIN_DELAY_AFTER_FAILURES: "1000", LOGIN_FAILURES_PER_IP: "1000" } });
});
afterAll(async () => stack?.close());

/** A JSON object of about 1 MB whose every key is one the schema refuses. */
function manyUnknownFields(): Record<string, number> {
  const fields: Record<string, number> = {};
  for (let i = 0; i < 90_000; i++) fields[`k${i}`] = 0;
  return fields;
}

/** The answer is the usual error JSON, small, naming one problem. */
function expectSmallRefusal(res: Awaited<ReturnType<typeof http>>) {
  expect(res.status).toBe(400);
  expect(res.json).toMatchObject({ status: 400, code: "invalid_body" });
  expect(res.body.length).toBeLessThan(1024);
  expect(String(res.json.message).length).toBeLessThanOrEqual(300);
}

describe("a 1 MB body of errors, unauthenticated", () => {
  it("POST /auth: one error in a small 400", async () => {
    const body = JSON.stringify({ user_name: "x", password: "y", ...manyUnknownFields() });
    expect(body.length).toBeGreaterThan(900_000);
    const res = await http(`${stack.url}/auth`, { body, headers: { "content-type": "application/json" } });
    expectSmallRefusal(res);
    expect(res.json.message).toMatch(/additional properties/);
  });

  it("POST /convert: one error in a small 400", async () => {
    const data = { url: "http://example.com/a.jpg", article_id: "A-1", ...manyUnknownFields() };
    const res = await http(`${stack.url}/convert`, { json: { data } });
    expectSmallRefusal(res);
  });

  it("a long offending value is not echoed whole", async () => {
    const path = `/${"x".repeat(8000)}/y`;
    const res = await http(`${stack.url}${path}`, { json: { user: ADMIN } });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("not_found");
    expect(String(res.json.message).length).toBeLessThanOrEqual(300);
  });
});

describe("JSON types are taken as sent", () => {
  it.each([
    ["an array of the name", { user_name: [ADMIN.username], password: ADMIN.password }],
    ["an array of the password", { user_name: ADMIN.username, password: [ADMIN.password] }],
    ["a number as the password", { user_name: ADMIN.username, password: 1234567890 }],
  ])("POST /auth with %s: 400", async (_what, json) => {
    const res = await http(`${stack.url}/auth`, { json });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_body");
  });

  it("POST /convert with inline credentials in arrays: 400; as strings they pass", async () => {
    const res = await http(`${stack.url}/convert`, {
      json: {
        user: { username: [ADMIN.username], password: [ADMIN.password] },
        data: { url: "http://example.com/a.jpg", article_id: "A-3" },
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_body");
    // The same as strings pass; path and query values are text, and a number there is still a number.
    const strings = { user_name: ADMIN.username, password: ADMIN.password };
    expect((await http(`${stack.url}/auth`, { json: strings })).status).toBe(200);
    const info = await http(`${stack.url}/info?lines=3`, { headers: basic(ADMIN.username, ADMIN.password) });
    expect(info.status).toBe(200);
    const missing = await http(`${stack.url}/img/999999`, { headers: basic(ADMIN.username, ADMIN.password) });
    expect(missing.status).toBe(404);
  });
});
