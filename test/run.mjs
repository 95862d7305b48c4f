// `npm test`: every test suite, then one closing line "N passed, N failed, N skipped" over all of them.
// Build, lint and format check (Biome), type check, then unit tests (vitest, Node), then browser tests (Playwright, Debian Chromium).
// Each suite's closing lines stay visible; the totals come from their JSON reports (test/summary.mjs).
// Any failed or skipped test fails the run; `.only` fails each suite by its own config.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closingLine, exitCode, readReport, tally } from './summary.mjs';

const CHROMIUM = '/usr/bin/chromium';
const out = mkdtempSync(join(tmpdir(), 'featurecast-test-'));

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    console.error(`Browser tests need Debian's Chromium at ${CHROMIUM}: run  sudo apt-get update && sudo apt-get install -y chromium`);
    process.exit(1);
  }
  console.error('Installing Debian chromium for the browser tests…');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update'], env) !== 0 || run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], env) !== 0) {
    console.error('apt-get could not install chromium');
    process.exit(1);
  }
}

ensureChromium();
const vitestJson = join(out, 'vitest.json');
const playwrightJson = join(out, 'playwright.json');
// dist/ first: a unit test and the demo import the package by its own name, as an app would.
const build = run('npm', ['run', '--silent', 'build']);
// Biome's lint rules and format check (biome.json), read-only: a lint error or an unformatted file fails the run.
const lint = run('npx', ['biome', 'ci', '.']);
// Types of everything (tests, training, bench, demo too), not just what the build emits.
const types = build === 0 ? run('npm', ['run', '--silent', 'typecheck']) : 1;
const unit = build === 0 ? run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]) : 1;
// Playwright's global setup builds the library, the demo and the test harness first.
const e2e = run('npx', ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson });

const totals = tally(readReport(vitestJson), readReport(playwrightJson));
if (types !== 0) totals.failed += 1;
if (lint !== 0) totals.failed += 1;

console.log(`\n${closingLine(totals)}`);
if (types !== 0) console.error('npm run typecheck failed.');
if (lint !== 0) console.error('npx biome ci . failed: fix the lint errors (npm run lint) and format the files (npm run format).');
if (build !== 0) console.error('npm run build failed, so the unit tests did not run.');
if (totals.skipped) console.error('Skipped or todo tests fail the run: remove the .skip / .todo / .fixme.');
process.exit(exitCode(totals, [build, lint, types, unit, e2e]));
