import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take longest, longest first (every file of 3 s or more in two full runs, decision
 * 0240). With no timings of its own (a clean clone, CI) vitest starts the largest files first, and a
 * long file started last keeps one worker busy alone at the end (the engine's cli suite did, 8 s).
 * A stale entry only costs order, never a test.
 */
const LONGEST = [
  "services/launcher/test/launcher-supervision.test.ts",
  "services/launcher/test/launcher-embedded.test.ts",
  "tests/reliability/queue-crash.test.ts",
  "tests/security/fuzz.test.ts",
  "tests/integration/accounts-extra.test.ts",
  "packages/engine/test/corpus-1.test.ts",
  "tests/security/token-claims.test.ts",
  "tests/integration/callbacks.test.ts",
  "services/launcher/test/launcher-nginx.test.ts",
  "tests/reliability/gateway-caches.test.ts",
  "services/launcher/test/launcher-takeover.test.ts",
  "tests/reliability/slow-requests.test.ts",
  "packages/engine/test/spare.test.ts",
  "packages/engine/test/corpus-2.test.ts",
  "tests/integration/delete.test.ts",
  "packages/engine/test/cli.test.ts",
  "tests/integration/async-convert.test.ts",
  "tests/e2e/signed-link-answers.test.ts",
  "tests/security/login-lockout.test.ts",
  "services/img-converter/test/fetch/fetch-limits.test.ts",
  "tests/e2e/signed-links.test.ts",
  "tests/e2e/reads-through-nginx.test.ts",
  "tests/e2e/rate-limit.test.ts",
  "tests/reliability/overload.test.ts",
  "tests/integration/article-ownership.test.ts",
  "packages/engine/test/scale-check.test.ts",
  "tests/reliability/heavy-sources.test.ts",
  "tests/security/auth-attacks.test.ts",
  "tests/integration/convert.test.ts",
  "tests/integration/article-id-length.test.ts",
  "tests/reliability/sigterm-drain.test.ts",
];

/** Vitest's own order (its timings when it has them), the known long files first. */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const at = LONGEST.findIndex((file) => spec.moduleId.endsWith(file));
      return at === -1 ? LONGEST.length : at;
    };
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
