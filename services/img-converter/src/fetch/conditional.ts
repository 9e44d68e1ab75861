/** What an earlier fetch of a source answered, to ask whether it changed since (RFC 9110 §13.1). */
export interface SourceValidators {
  etag?: string | null;
  lastModified?: string | null;
}

/** The source said 304: what was fetched before is still current. */
export interface NotModified {
  notModified: true;
  finalUrl: string;
}

/** If-None-Match takes precedence at the server; If-Modified-Since is still sent for servers without ETags. */
export function conditionalHeaders(validators: SourceValidators | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (validators?.etag) headers["if-none-match"] = validators.etag;
  if (validators?.lastModified) headers["if-modified-since"] = validators.lastModified;
  return headers;
}
