import { provideServer } from "@belfoot/testkit/provide-server";
import type { TestProject } from "vitest/node";

/** One PostgreSQL server for the run; each test file then makes its own database on it. */
export default async function setup(project: TestProject) {
  const server = await provideServer((line) => console.log(`[global-setup] ${line}`));
  console.log(`[global-setup] PostgreSQL for tests: ${server.kind}`);
  project.provide("pgAdminUrl", server.adminUrl);
  return () => server.stop();
}
