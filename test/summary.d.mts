/** Types of test/summary.mjs (plain JS: test/run.mjs runs under bare Node). */

/** The fields of vitest's JSON report that the totals read. */
export interface VitestReport {
  numTotalTestSuites: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  success: boolean;
}

/** The fields of Playwright's JSON report that the totals read. */
export interface PlaywrightReport {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  errors?: unknown[];
}

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

/** A JSON report, or undefined when the suite wrote none. */
export function readReport<T>(path: string): T | undefined;
/** Passed, failed and skipped tests over both reports; a missing report or a failure outside any test counts as one failure. */
export function tally(vitest: VitestReport | undefined, playwright: PlaywrightReport | undefined): Totals;
/** The closing line of `npm test`. */
export function closingLine(totals: Totals): string;
/** 0 only when every step exited 0 and no test failed or was skipped. */
export function exitCode(totals: Totals, stepCodes: readonly number[]): 0 | 1;
