import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { Answer } from "./http";

// ajv-formats is CommonJS with a default export: under ESM it arrives wrapped once more.
const addFormats =
  (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

interface MediaType {
  schema?: object;
}
interface ResponseObject {
  description?: string;
  content?: Record<string, MediaType>;
}
interface Operation {
  responses?: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

interface Template {
  path: string;
  regex: RegExp;
  literal: boolean;
}

/**
 * Checks real answers against the OpenAPI document a service publishes: the path and method are
 * documented, the status is (exactly or as a 4XX/5XX range), the content type is one the document
 * lists, and a JSON body validates against its schema. Records what was exercised, so a test can
 * require that every documented operation was.
 */
export class OpenApiConformance {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: Template[];
  readonly problems: string[] = [];
  readonly exercised = new Set<string>();

  constructor(readonly doc: OpenApiDocument) {
    addFormats(this.ajv);
    // OpenAPI 3.0 keywords Ajv does not know; they carry no validation.
    this.ajv.addKeyword("example");
    this.templates = Object.keys(doc.paths)
      .map((path) => ({
        path,
        literal: !path.includes("{"),
        regex: new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
      }))
      // A literal path (/info) wins over a template that would also match it (/{id}).
      .sort((a, b) => Number(b.literal) - Number(a.literal));
  }

  /** The documented operations, as "METHOD /path". */
  operations(): string[] {
    return Object.entries(this.doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
  }

  /** Checks one answer; returns its problems (also kept in `problems`). */
  check(method: string, url: string, answer: Answer): string[] {
    const found: string[] = [];
    const pathname = new URL(url, "http://x").pathname;
    const where = `${method} ${pathname} → ${answer.status}`;
    const template = this.templates.find((t) => t.regex.test(pathname));
    // HEAD answers like GET without a body; Fastify adds it to every GET route.
    const documentedMethod = method === "HEAD" ? "get" : method.toLowerCase();
    const operation = template && this.doc.paths[template.path]?.[documentedMethod];
    if (!template || !operation) {
      found.push(`${where}: operation not documented`);
    } else {
      const statusKey = this.responseKey(operation, answer.status);
      if (!statusKey) {
        found.push(
          `${where}: status not documented (has ${Object.keys(operation.responses ?? {}).join(", ")})`,
        );
      } else {
        this.exercised.add(`${documentedMethod.toUpperCase()} ${template.path} ${statusKey}`);
        const response = operation.responses?.[statusKey] ?? {};
        found.push(
          ...this.checkBody(
            where,
            `${template.path} ${documentedMethod} ${statusKey}`,
            response,
            answer,
            method,
          ),
        );
      }
    }
    this.problems.push(...found);
    return found;
  }

  private responseKey(operation: Operation, status: number): string | undefined {
    const responses = operation.responses ?? {};
    return [String(status), `${String(status)[0]}XX`, "default"].find((key) => key in responses);
  }

  private checkBody(
    where: string,
    key: string,
    response: ResponseObject,
    answer: Answer,
    method: string,
  ): string[] {
    const contentType = (answer.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
    if (!response.content) {
      return answer.body.length === 0
        ? []
        : [`${where}: documented without a body, got ${answer.body.length} bytes`];
    }
    const media = response.content[contentType];
    if (!media) {
      return [
        `${where}: content type "${contentType}" not documented (has ${Object.keys(response.content).join(", ")})`,
      ];
    }
    const isJson = contentType === "application/json" || contentType.endsWith("+json");
    if (method === "HEAD" || !isJson || !media.schema) return [];
    const validator = this.validator(`${key} ${contentType}`, media.schema);
    if (validator(JSON.parse(answer.body.toString("utf8")))) return [];
    return [`${where}: body does not match the schema: ${this.ajv.errorsText(validator.errors)}`];
  }

  private validator(key: string, schema: object): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.validators.set(key, validate);
    }
    return validate;
  }
}
