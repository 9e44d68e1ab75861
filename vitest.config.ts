import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["tests/global-setup.ts"],
    include: ["packages/*/test/**/*.test.ts", "services/*/test/**/*.test.ts", "tests/**/*.test.ts"],
    // Image work and real databases: generous, but bounded, per-test limits.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: one worker per core keeps sharp and PostgreSQL from thrashing each other.
    maxWorkers: 2,
  },
});
