import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closingLine, exitCode, readReport, tally, type PlaywrightReport, type VitestReport } from '../summary.mjs';

/**
 * Issue 19, item 3: `npm test` cannot pass with a focused or a skipped test, whatever the
 * environment. Each guard is proved by running the real tool, under the repo's own config, on a
 * throwaway spec in a temp folder, with CI unset; the totals go through test/summary.mjs, which
 * test/run.mjs uses for its closing line and exit code. ~2 s per vitest run, ~4 s per Playwright run.
 */

const repo = fileURLToPath(new URL('../../', import.meta.url));
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A temp folder holding `files` (path → text). */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'featurecast-guard-'));
  temps.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Runs a Node CLI; the outer vitest's variables and CI are dropped, so only the config decides. */
function run(cli: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'CI' && !key.startsWith('VITEST')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, cli), ...args], {
      cwd,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** vitest on one spec (globals, so it imports nothing), with the repo's vite.config.ts. */
async function vitest(spec: string) {
  const dir = folder({ 'package.json': '{"type":"module"}', 'test/unit/guard.test.ts': spec });
  const result = await run(
    'node_modules/vitest/vitest.mjs',
    [
      'run',
      '--config',
      join(repo, 'vite.config.ts'),
      '--root',
      dir,
      '--globals',
      '--reporter=json',
      `--outputFile=${join(dir, 'report.json')}`,
    ],
    dir,
  );
  return { ...result, report: readReport<VitestReport>(join(dir, 'report.json')) };
}

/** Playwright on one spec, with the repo's playwright.config.ts minus its global setup (which builds the site). */
async function playwright(spec: string) {
  const dir = folder({
    'playwright.config.ts': `import base from ${JSON.stringify(join(repo, 'playwright.config.ts'))};\nexport default { ...base, testDir: '.', globalSetup: undefined };\n`,
    'guard.spec.cjs': `const { test } = require('@playwright/test');\n${spec}`,
  });
  const report = join(dir, 'report.json');
  // CommonJS, so NODE_PATH lets the spec find @playwright/test from a folder outside the repo.
  const result = await run(
    'node_modules/@playwright/test/cli.js',
    ['test', '--config', join(dir, 'playwright.config.ts'), '--reporter=json'],
    dir,
    {
      NODE_PATH: join(repo, 'node_modules'),
      PLAYWRIGHT_JSON_OUTPUT_NAME: report,
    },
  );
  return { ...result, report: readReport<PlaywrightReport>(report) };
}

const cleanVitest: VitestReport = {
  numTotalTestSuites: 1,
  numPassedTests: 1,
  numFailedTests: 0,
  numPendingTests: 0,
  numTodoTests: 0,
  success: true,
};
const cleanPlaywright: PlaywrightReport = { stats: { expected: 1, unexpected: 0, flaky: 0, skipped: 0 }, errors: [] };
const ALL_STEPS_PASSED = [0, 0, 0, 0];
// A cold start on a loaded 2-core machine can take many times the usual few seconds.
const SPAWN_TIMEOUT = 180_000;

describe.concurrent('CI guards', () => {
  it('passes a clean run', () => {
    const totals = tally(cleanVitest, cleanPlaywright);
    expect(closingLine(totals)).toBe('featurecast: 2 passed, 0 failed, 0 skipped');
    expect(exitCode(totals, ALL_STEPS_PASSED)).toBe(0);
  });

  it('vitest: a .only fails the run without CI', { timeout: SPAWN_TIMEOUT }, async () => {
    const { code, report } = await vitest("it('runs', () => {});\nit.only('focused', () => {});\n");
    expect(code).not.toBe(0);
    expect(JSON.stringify(report)).toContain('Unexpected .only modifier');
    const totals = tally(report, cleanPlaywright);
    expect(totals.failed).toBeGreaterThan(0);
    expect(exitCode(totals, [0, 0, code ?? 1, 0])).toBe(1);
  });

  it('vitest: .skip and .todo are counted as skipped and fail the run', { timeout: SPAWN_TIMEOUT }, async () => {
    const { code, report } = await vitest("it('runs', () => {});\nit.skip('skipped', () => {});\nit.todo('todo');\n");
    expect(code).toBe(0); // vitest itself passes such a run: the closing line's count is the guard
    const totals = tally(report, cleanPlaywright);
    expect(closingLine(totals)).toBe('featurecast: 2 passed, 0 failed, 2 skipped');
    expect(exitCode(totals, ALL_STEPS_PASSED)).toBe(1);
  });

  it('Playwright: a .only fails the run without CI', { timeout: SPAWN_TIMEOUT }, async () => {
    const { code, report } = await playwright("test('runs', () => {});\ntest.only('focused', () => {});\n");
    expect(code).toBe(1);
    expect(report?.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining("'.only' is not allowed due to the 'forbidOnly' option") }),
    ]);
    const totals = tally(cleanVitest, report);
    expect(totals.failed).toBe(1);
    expect(exitCode(totals, ALL_STEPS_PASSED)).toBe(1);
  });

  it('Playwright: test.skip and test.fixme are counted as skipped and fail the run', { timeout: SPAWN_TIMEOUT }, async () => {
    const { code, report } = await playwright("test('runs', () => {});\ntest.skip('skipped', () => {});\ntest.fixme('fixme', () => {});\n");
    expect(code).toBe(0); // Playwright passes such a run: the closing line's count is the guard
    const totals = tally(cleanVitest, report);
    expect(closingLine(totals)).toBe('featurecast: 2 passed, 0 failed, 2 skipped');
    expect(exitCode(totals, ALL_STEPS_PASSED)).toBe(1);
  });
});
