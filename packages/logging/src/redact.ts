import { INTERNAL_HEADERS } from "@belfoot/internal-contract";

/**
 * Paths pino blanks before a line is written. Our own code never logs these on purpose; this is
 * the net under mistakes (a logged request, header set or body). pino wildcards match one level.
 */
export const REDACT_PATHS = [
  "password",
  "*.password",
  "*.*.password",
  "token",
  "*.token",
  "*.*.token",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  `*.headers["${INTERNAL_HEADERS.token}"]`,
  '*.headers["proxy-authorization"]',
  "*.headers.cookie",
  "img",
  "*.img",
  "*.*.img",
];

export const REDACT_CENSOR = "[redacted]";
