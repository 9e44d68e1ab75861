/**
 * An error meant for the caller: an HTTP status, a stable snake_case code clients can branch on,
 * and a human message. Anything else thrown inside a service is a fault and answers 500.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers, e.g. Retry-After on 429/503. */
  readonly headers: Record<string, string>;
  /** Facts for the service's log only, never sent (e.g. the internal address a refused host resolved to). */
  readonly detail: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string>; detail?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.status = status;
    this.code = code;
    this.headers = options?.headers ?? {};
    this.detail = options?.detail;
  }
}

/** The JSON body every error response has. */
export interface ErrorBody {
  status: number;
  code: string;
  message: string;
  request_id?: string;
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
