import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take longest, longest first. With no timings of its own (a clean clone, CI) vitest
 * starts the largest files first, and a long file started last keeps one worker busy alone at the end.
 * A stale entry only costs order, never a test.
 */
const LONGEST = [
  "services/launcher/test/launcher-supervision.test.ts",
  "services/launcher/test/launcher-embedded.test.ts",
  "tests/reliability/queue-crash.test.ts",
  "tests/integration/accounts-extra.test.ts",
  "services/launcher/test/launcher-nginx.test.ts",
  "services/launcher/test/launcher-takeover.test.ts",
  "tests/integration/legacy-api.test.ts",
  "tests/integration/callbacks.test.ts",
  "tests/reliability/slow-requests.test.ts",
  "tests/security/token-claims.test.ts",
  "tests/security/fuzz.test.ts",
  "packages/engine/test/corpus-1.test.ts",
  "packages/engine/test/corpus-2.test.ts",
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
