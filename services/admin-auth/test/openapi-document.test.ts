import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../src/openapi-document";

interface Operation {
  summary?: string;
  operationId?: string;
  responses?: Record<string, unknown>;
}

const METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);

describe("the OpenAPI document names every operation for people and for generated clients", async () => {
  const doc = (await buildOpenApiDocument()) as { paths: Record<string, Record<string, Operation>> };
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

  it("has operations", () => {
    expect(operations.length).toBeGreaterThan(10);
  });

  it.each(operations)("$name has a one-line summary and a camelCase operationId", ({ op }) => {
    expect(op.summary).toMatch(/^[^\n]{5,100}$/);
    expect(op.operationId).toMatch(/^[a-z][a-zA-Z0-9]*$/);
  });

  it("gives each operation its own operationId", () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
