import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig } from "@belfoot/config";
import { connect } from "@belfoot/db";
import { createLogger } from "@belfoot/logging";
import { buildGatewayApp } from "./app";

/**
 * The gateway's OpenAPI document, exactly as GET /openapi.json serves it, built without listening and
 * without a database (no route runs, so the pool never connects), from a fixed throw-away
 * environment: the document must not depend on the caller's settings or secrets.
 */
export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const config = loadConfig({
    NODE_ENV: "development",
    // Nothing is written under DATA_DIR: the secrets are given and no route runs.
    DATA_DIR: path.join(tmpdir(), "belfoot-openapi"),
    // Never used to sign or call anything; long enough for the config's 32-byte rule.
    INTERNAL_TOKEN: "openapi-document-only-never-used-to-call",
    JWT_SECRET: "openapi-document-only-never-used-to-sign",
    WEBHOOK_SECRET: "whsec_b3BlbmFwaS1kb2N1bWVudC1vbmx5LW5ldmVyLXVzZWQ=",
    LINK_SIGNING_KEY: "openapi-document-only-never-used-to-sign-links",
  });
  const sql = connect("postgres://openapi@127.0.0.1:1/never-connected");
  const app = await buildGatewayApp({
    config,
    sql,
    logger: createLogger({ name: "openapi", level: "silent" }),
  });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
    await sql.end();
  }
}
