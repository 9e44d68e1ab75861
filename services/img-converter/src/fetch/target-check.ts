import { compileDestinationRules } from "./destination-rules";
import { createGuardedLookup } from "./guarded-lookup";
import { checkUrl } from "./url-check";

export interface TargetChecker {
  /** The URL checks made before any connection (scheme, credentials, literal addresses); returns the URL. */
  check(raw: string): URL;
  /** `check`, then the name resolved now through the same guard a connection would use. */
  checkResolved(raw: string): Promise<URL>;
}

/**
 * The fetch guard's checks, for a URL accepted now and fetched later (a queued source, a webhook):
 * so a caller hears at once that its URL would be refused. The guard runs again at connect time.
 */
export function createTargetChecker(allowPrivate: string[], allowedPorts: number[]): TargetChecker {
  const rules = compileDestinationRules(allowPrivate, allowedPorts);
  const check = (raw: string) => checkUrl(raw, rules).url;
  return {
    check,
    async checkResolved(raw) {
      const checked = checkUrl(raw, rules);
      const lookup = createGuardedLookup({ host: checked.host, port: checked.port }, rules);
      await new Promise<void>((resolve, reject) => {
        lookup(checked.host, { all: true }, (err) => (err ? reject(err) : resolve()));
      });
      return checked.url;
    },
  };
}
