import { describe, expect, it } from "vitest";
import { staticServerBlock } from "../../bench/support/static-server";
import { nginxInstalled, testNginxConfig } from "../support/nginx";

// What a deployment runs before a reload: `nginx -t` on nginx.conf and the rendered template.
describe.skipIf(!nginxInstalled)("nginx -t", () => {
  it("accepts the project's config as rendered for the tests", async () => {
    const { code, output } = await testNginxConfig({ upstream: "127.0.0.1:9" });
    expect(output).toMatch(/test is successful/);
    expect(code).toBe(0);
  });

  it("accepts it with the benchmark's static server block added", async () => {
    const { code } = await testNginxConfig({
      upstream: "127.0.0.1:9",
      extra: (listen) => staticServerBlock("/tmp", listen),
    });
    expect(code).toBe(0);
  });

  it("fails a broken config (the check can fail)", async () => {
    const { code, output } = await testNginxConfig({
      upstream: "127.0.0.1:9",
      extra: () => "server { limit_req zone=no_such_zone; }",
    });
    expect(code).not.toBe(0);
    expect(output).toMatch(/no_such_zone/);
  });
});
