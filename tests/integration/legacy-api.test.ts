import { readFile } from "node:fs/promises";
import { removeUser } from "@belfoot/db";
import { corpusPath, countImages } from "@belfoot/testkit";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, bearer, http } from "../support/http";
import { ADMIN, type Stack, startStack } from "../support/stack";

let stack: Stack;
const coffee = await readFile(corpusPath("skimage-coffee.png"));

beforeAll(async () => {
  stack = await startStack({ env: { LOGIN_DELAY_AFTER_FAILURES: "5", LOG_LEVEL: "info" } });
});
afterAll(async () => stack?.close());

const adminBasic = () => basic(ADMIN.username, ADMIN.password);
const register = (user_name: string, password: string, headers: Record<string, string> = adminBasic()) =>
  http(`${stack.url}/registration`, { json: { user_name, password }, headers });
const login = (user_name: string, password: string) =>
  http(`${stack.url}/auth`, { json: { user_name, password } });

async function tokenFor(name: string, password: string): Promise<string> {
  const res = await login(name, password);
  expect(res.status).toBe(200);
  return res.json.token as string;
}

describe("POST /registration", () => {
  it("an admin registers a user: 201 {status, message}", async () => {
    const res = await register("alice", "alice-password");
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: 201, message: "user created" });
  });

  it("409 when the name exists", async () => {
    await register("bob", "bob-password-1");
    const again = await register("bob", "another-password");
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ status: 409, code: "user_exists" });
  });

  it("400 naming the broken rule", async () => {
    const shortName = await register("ab", "long-enough-password");
    expect(shortName.status).toBe(400);
    expect(shortName.json.code).toBe("invalid_username");
    const badChars = await register("no spaces allowed", "long-enough-password");
    expect(badChars.json.code).toBe("invalid_username");
    const weak = await register("carol", "short");
    expect(weak.status).toBe(400);
    expect(weak.json.code).toBe("weak_password");
    expect(weak.json.message).toMatch(/10 characters/);
  });

  it("REGISTRATION=admin: no credentials → 401, a plain user → 403", async () => {
    expect((await register("dave", "dave-password", {})).status).toBe(401);
    await register("erin", "erin-password");
    const token = await tokenFor("erin", "erin-password");
    const res = await register("frank", "frank-password", bearer(token));
    expect(res.status).toBe(403);
    expect(res.json.code).toBe("forbidden");
  });
});

describe("POST /auth", () => {
  it("returns a JWT that authenticates later requests", async () => {
    await register("gina", "gina-password");
    const res = await login("gina", "gina-password");
    expect(res.json).toMatchObject({ username: "gina", expires_in: 3600 });
    expect(typeof res.json.id).toBe("number");
    expect(String(res.json.token).split(".")).toHaveLength(3);
  });

  it("wrong password and unknown user give the same 401", async () => {
    const wrong = await login("gina", "not-her-password");
    const unknown = await login("nobody-here", "whatever-pass");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect({ ...wrong.json, request_id: 0 }).toEqual({ ...unknown.json, request_id: 0 });
  });

  it("a name PostgreSQL cannot hold (U+0000) is an unknown user: 401, not 500", async () => {
    // Found by tests/security/fuzz.test.ts: Basic base64("\0\x07:") reached the database.
    expect((await login("nul\u0000name", "whatever-pass")).status).toBe(401);
    const viaBasic = await http(`${stack.url}/img/1`, { headers: basic("\u0000\u0007", "") });
    expect(viaBasic.status).toBe(401);
    expect(viaBasic.json.code).toBe("invalid_credentials");
  });

  it("a token of a deleted user stops working", async () => {
    await register("henry", "henry-password");
    const token = await tokenFor("henry", "henry-password");
    await removeUser(stack.sql, "henry");
    const res = await http(`${stack.url}/img/1`, { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("invalid_token");
  });

  it("throttles repeated failures for one user with 429 and Retry-After", async () => {
    await register("ivan", "ivan-password");
    const answers: Awaited<ReturnType<typeof login>>[] = [];
    // Five failures in a row are answered; then each waits a second or more (one more 401 when the
    // machine took that long between two requests).
    for (let i = 0; i < 10 && answers.at(-1)?.status !== 429; i++) {
      answers.push(await login("ivan", `wrong-password-${i}`));
    }
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    expect(answers.at(-1)?.status).toBe(429);
    expect(Number(answers.at(-1)?.headers["retry-after"])).toBeGreaterThan(0);
    // Other users are not affected.
    expect((await login(ADMIN.username, ADMIN.password)).status).toBe(200);
  });
});

describe("POST /img and GET /img/:id, GET /:id", () => {
  it("stores a base64 upload resized within x × y and serves it to its owner", async () => {
    await register("jane", "jane-password");
    const token = await tokenFor("jane", "jane-password");
    const res = await http(`${stack.url}/img`, {
      json: { img: coffee.toString("base64"), x: "300", y: 300, quality: 70 },
      headers: bearer(token),
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: 201, width: 300, height: 200 });
    expect(res.json.bytes as number).toBeLessThanOrEqual(184_320);
    const id = res.json.id as number;

    for (const path of [`/img/${id}`, `/${id}`]) {
      const got = await http(`${stack.url}${path}`, { headers: bearer(token) });
      expect(got.status).toBe(200);
      expect(got.headers["content-type"]).toBe("image/jpeg");
      expect(got.headers.etag).toBe(`"${res.json.sha256}"`);
      const meta = await sharp(got.body).metadata();
      expect([meta.width, meta.height]).toEqual([300, 200]);
      const cached = await http(`${stack.url}${path}`, {
        headers: { ...bearer(token), "if-none-match": got.headers.etag ?? "" },
      });
      expect(cached.status).toBe(304);
    }
  });

  it("403 for another user's image, 200 for an admin, 404 when absent", async () => {
    await register("kate", "kate-password");
    await register("liam", "liam-password");
    const kate = await tokenFor("kate", "kate-password");
    const liam = await tokenFor("liam", "liam-password");
    const up = await http(`${stack.url}/img`, {
      json: { img: coffee.toString("base64") },
      headers: bearer(kate),
    });
    const id = up.json.id as number;
    expect((await http(`${stack.url}/img/${id}`, { headers: bearer(liam) })).status).toBe(403);
    expect((await http(`${stack.url}/${id}`, { headers: bearer(liam) })).status).toBe(403);
    expect((await http(`${stack.url}/img/${id}`, { headers: adminBasic() })).status).toBe(200);
    const missing = await http(`${stack.url}/img/999999`, { headers: bearer(kate) });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ status: 404, code: "not_found" });
  });

  it("bad base64 → 400, not an image → 422, no token → 401; nothing stored", async () => {
    const token = await tokenFor(ADMIN.username, ADMIN.password);
    const before = await countImages(stack.sql);
    const bad = await http(`${stack.url}/img`, { json: { img: "***not base64***" }, headers: bearer(token) });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe("invalid_base64");
    const text = await http(`${stack.url}/img`, {
      json: { img: Buffer.from("just some text, not pixels").toString("base64") },
      headers: bearer(token),
    });
    expect(text.status).toBe(422);
    expect(text.json.code).toBe("not_an_image");
    const anonymous = await http(`${stack.url}/img`, { json: { img: coffee.toString("base64") } });
    expect(anonymous.status).toBe(401);
    expect(await countImages(stack.sql)).toBe(before);
  });
});

describe("GET /info and GET /error", () => {
  it("admins read the newest log lines as text or NDJSON; users get 403", async () => {
    await register("mona", "mona-password");
    const text = await http(`${stack.url}/info?lines=5`, { headers: adminBasic() });
    expect(text.status).toBe(200);
    expect(text.headers["content-type"]).toMatch(/^text\/plain/);
    const lines = text.body.toString().trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(5);

    const nd = await http(`${stack.url}/info?lines=50&format=ndjson`, { headers: adminBasic() });
    expect(nd.headers["content-type"]).toMatch(/^application\/x-ndjson/);
    const entries = nd.body
      .toString()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(entries.some((e) => e.msg === "user registered" && e.username === "mona")).toBe(true);
    // Newest last.
    const times = entries.map((e) => Date.parse(e.time));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const token = await tokenFor("mona", "mona-password");
    expect((await http(`${stack.url}/info`, { headers: bearer(token) })).status).toBe(403);
    expect((await http(`${stack.url}/error`, { headers: bearer(token) })).status).toBe(403);
    expect((await http(`${stack.url}/error`, { headers: adminBasic() })).status).toBe(200);
    expect((await http(`${stack.url}/info?lines=5001`, { headers: adminBasic() })).status).toBe(400);
  });

  it("no password, token or Authorization header ever reaches a log line", async () => {
    const secret = "super-secret-password-42";
    await register("nina", secret);
    const token = await tokenFor("nina", secret);
    await login("nina", `${secret}-wrong`);
    await http(`${stack.url}/img/1`, { headers: bearer(token) });
    await http(`${stack.url}/convert`, { json: { user: { username: "nina", password: secret }, data: {} } });
    const all = await http(`${stack.url}/info?lines=5000&format=ndjson`, { headers: adminBasic() });
    const errors = await http(`${stack.url}/error?lines=5000&format=ndjson`, { headers: adminBasic() });
    const conv = await http(`${stack.url}/info?lines=5000&format=ndjson&service=img-converter`, {
      headers: adminBasic(),
    });
    const logs = all.body.toString() + errors.body.toString() + conv.body.toString();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(ADMIN.password);
    expect(logs).not.toContain(Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64"));
    expect(logs).not.toContain(stack.config.INTERNAL_TOKEN);
  });
});
