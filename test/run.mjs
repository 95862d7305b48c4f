// `npm test`: every test suite, then one closing line "N passed, N failed" over all of them.
// Build and type check, then unit tests (vitest, Node), then browser tests (Playwright, Debian Chromium).
// Each suite's closing lines stay visible; the totals come from their JSON reports.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
// Types of everything (tests, training, bench, demo too), not just what the build emits.
const types = build === 0 ? run('npm', ['run', '--silent', 'typecheck']) : 1;
const unit = build === 0 ? run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]) : 1;
// Playwright's global setup builds the library, the demo and the test harness first.
const e2e = run('npx', ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson });

let passed = 0;
let failed = 0;
if (existsSync(vitestJson)) {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests + (v.numTotalTestSuites && !v.success && v.numFailedTests === 0 ? 1 : 0);
} else failed += 1;
if (existsSync(playwrightJson)) {
  const p = JSON.parse(readFileSync(playwrightJson, 'utf8'));
  passed += p.stats.expected;
  failed += p.stats.unexpected + p.stats.flaky;
} else failed += 1;
if (types !== 0) failed += 1;

console.log(`\nfeaturecast: ${passed} passed, ${failed} failed`);
if (types !== 0) console.error('npm run typecheck failed.');
if (build !== 0) console.error('npm run build failed, so the unit tests did not run.');
process.exit(types === 0 && build === 0 && unit === 0 && e2e === 0 && failed === 0 ? 0 : 1);
