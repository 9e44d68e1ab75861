import type { JobError } from "@belfoot/db";
import { isAppError } from "@belfoot/errors";
import { classifyDatabaseFault } from "@belfoot/fastify-kit";

/** An error as a job reports it: the `{status, code, message}` the synchronous answer would have had. */
export function toJobError(err: unknown): JobError {
  const app = isAppError(err) ? err : classifyDatabaseFault(err);
  if (app) return { status: app.status, code: app.code, message: app.message };
  return { status: 500, code: "internal_error", message: "the conversion failed unexpectedly" };
}

/** 4xx: the source or the request is at fault, and the same job would fail the same way again. */
export function isFinal(error: JobError): boolean {
  return error.status < 500;
}
