// The totals behind `npm test`'s closing line (test/run.mjs), from the suites' JSON reports.
// Its own module so a unit test (test/unit/ci-guards.test.ts) checks it on real reports.
import { existsSync, readFileSync } from 'node:fs';

/** A JSON report, or undefined when the suite wrote none (it never ran, or crashed). */
export function readReport(path) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

/**
 * Passed, failed and skipped tests over vitest's and Playwright's JSON reports. A missing report
 * counts as one failure, and so does a failure outside any test (a vitest file that did not load,
 * a Playwright error such as a forbidden `.only`): else the line could read "0 failed" for a red run.
 * Skipped counts `.skip`, `.todo` and `.fixme` alike.
 */
export function tally(vitest, playwright) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  if (vitest) {
    passed += vitest.numPassedTests;
    failed += vitest.numFailedTests + (vitest.numTotalTestSuites && !vitest.success && vitest.numFailedTests === 0 ? 1 : 0);
    skipped += vitest.numPendingTests + vitest.numTodoTests;
  } else failed += 1;
  if (playwright) {
    passed += playwright.stats.expected;
    failed += playwright.stats.unexpected + playwright.stats.flaky + (playwright.errors?.length ? 1 : 0);
    skipped += playwright.stats.skipped;
  } else failed += 1;
  return { passed, failed, skipped };
}

/** The closing line of `npm test`. */
export function closingLine({ passed, failed, skipped }) {
  return `featurecast: ${passed} passed, ${failed} failed, ${skipped} skipped`;
}

/** The exit code of `npm test`: 0 only when every step exited 0 and no test failed or was skipped (a skipped test proves nothing). */
export function exitCode({ failed, skipped }, stepCodes) {
  return stepCodes.every((code) => code === 0) && failed === 0 && skipped === 0 ? 0 : 1;
}
