import { defineConfig } from "vitest/config";
import { LongestFirstSequencer } from "./tests/support/sequencer";

/** Files that replace modules (vi.mock): they need a module graph of their own. */
const MOCKING = ["packages/engine/test/abort.test.ts"];
// Image work and real databases: generous, but bounded, per-test limits.
const limits = { testTimeout: 60_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    // One PostgreSQL for the run, provided to both projects below.
    globalSetup: ["tests/global-setup.ts"],
    // Two cores: one worker per core keeps sharp and PostgreSQL from thrashing each other.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          name: "shared",
          include: ["packages/*/test/**/*.test.ts", "services/*/test/**/*.test.ts", "tests/**/*.test.ts"],
          exclude: MOCKING,
          // A worker keeps its modules from file to file: importing fastify, sharp and the services
          // afresh for each of ~90 files cost more CPU than most suites. Each file still makes its own
          // database, servers and state.
          isolate: false,
          ...limits,
        },
      },
      { test: { name: "isolated", include: MOCKING, ...limits } },
    ],
  },
});
