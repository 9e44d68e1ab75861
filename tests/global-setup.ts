import { provideServer } from "@belfoot/testkit/provide-server";
import type { TestProject } from "vitest/node";
import { findNginx, NGINX_INSTALL_HINT } from "../services/launcher/src/nginx-files";

/** One PostgreSQL server for the run; each test file then makes its own database on it. */
export default async function setup(project: TestProject) {
  // The nginx suites skip themselves without nginx; CI must run them, so there it is an error.
  if (!findNginx(process.env.NGINX_BIN)) {
    if (process.env.CI === "true") throw new Error(`nginx is required when CI=true: ${NGINX_INSTALL_HINT}`);
    console.log(`[global-setup] nginx not found: the nginx suites are skipped; ${NGINX_INSTALL_HINT}`);
  }
  const server = await provideServer((line) => console.log(`[global-setup] ${line}`));
  console.log(`[global-setup] PostgreSQL for tests: ${server.kind}`);
  project.provide("pgAdminUrl", server.adminUrl);
  return () => server.stop();
}
