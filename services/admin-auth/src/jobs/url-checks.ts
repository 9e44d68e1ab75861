import { AppError, isAppError } from "@belfoot/errors";
import { createTargetChecker, parseAllowedPorts, parsePolicyAllowList } from "@belfoot/img-converter/fetch";

/**
 * The converter's fetch guard, run at submission: a queued source or a callback that would be
 * refused is refused now, with the same codes. Callbacks have their own allow-list.
 */
export function createUrlChecks(opts: {
  allowPrivateSources: string;
  allowPrivateCallbacks: string;
  allowedPorts: string;
}) {
  const ports = parseAllowedPorts(opts.allowedPorts);
  const sources = createTargetChecker(parsePolicyAllowList(opts.allowPrivateSources), ports);
  const callbacks = createTargetChecker(parsePolicyAllowList(opts.allowPrivateCallbacks), ports);
  return {
    /** Throws the 4xx AppError the converter would answer for this source URL. */
    source(url: string): void {
      sources.check(url);
    },
    /** Checks and resolves the callback URL; 400 invalid_callback_url or 403 callback_forbidden. */
    async callback(url: string): Promise<string> {
      try {
        return (await callbacks.checkResolved(url)).href;
      } catch (err) {
        if (isAppError(err) && err.status === 403) {
          throw new AppError(
            403,
            "callback_forbidden",
            `callback_url: ${err.message.replace(/^source /, "")}`,
          );
        }
        const why = isAppError(err) ? err.message : "its host does not resolve";
        throw new AppError(400, "invalid_callback_url", `callback_url is not usable: ${why}`);
      }
    },
  };
}

export type UrlChecks = ReturnType<typeof createUrlChecks>;
