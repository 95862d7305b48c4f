import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { build } from 'vite';
import { CAFE_SPEC } from '../fixtures/cafe-spec.js';
import { startStaticServer, type StaticServer } from './server.js';

/**
 * A new user's whole path, with the published package only: `npm pack`, install the tarball in a
 * fresh project, build a bundle for a non-bike dataset with the CLI alone (fit → features →
 * train → check), then predict in Node and in a Chromium worker from a page bundled by Vite
 * against the installed package. The answers must agree.
 */

const repo = resolve(import.meta.dirname, '../..');

/** Two years of made-up café days: more cups when warm, sunny, on weekends and with a promo. */
function cafeCsv(): string {
  const lines = ['date,temperature,weather,promo,sales'];
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 730; i++) {
    const day = new Date(Date.UTC(2023, 0, 1 + i));
    const date = day.toISOString().slice(0, 10);
    const temperature = Math.round((12 - 10 * Math.cos((2 * Math.PI * i) / 365) + next() * 6) * 10) / 10;
    const weather = ['sun', 'cloud', 'rain'][Math.floor(next() * 3)]!;
    const promo = next() < 0.2;
    const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6;
    const sales = Math.round(
      80 + 3 * temperature + (weather === 'sun' ? 25 : weather === 'rain' ? -20 : 0) + (weekend ? 30 : 0) + (promo ? 40 : 0) + next() * 10,
    );
    lines.push(`${date},${temperature},${weather},${promo},${sales}`);
  }
  return `${lines.join('\n')}\n`;
}

const queries = [
  { date: '2025-03-01', temperature: 14, weather: 'sun' },
  { date: '2025-03-03', temperature: 9.5, weather: 'rain', promo: true },
  { date: '2025-07-19', temperature: 31, weather: 'cloud' },
  { date: '2025-12-24', temperature: -80, weather: 'sun' },
];

let project: string;
let server: StaticServer;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  project = mkdtempSync(join(tmpdir(), 'featurecast-pack-'));
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], { cwd: repo, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'cafe-app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--silent', '--no-audit', '--no-fund', '--prefer-offline', join(project, tarball)], {
    cwd: project,
    stdio: 'inherit',
  });
  writeFileSync(join(project, 'spec.json'), JSON.stringify(CAFE_SPEC, null, 2));
  writeFileSync(join(project, 'train.csv'), cafeCsv());
  writeFileSync(join(project, 'index.html'), '<!doctype html><title>cafe</title><script type="module" src="./main.js"></script>');
  writeFileSync(
    join(project, 'main.js'),
    "import * as featurecast from 'featurecast';\nwindow.featurecast = featurecast;\nwindow.ready = true;\n",
  );
  await build({
    root: project,
    base: './',
    logLevel: 'warn',
    configFile: false,
    build: { outDir: 'dist', target: 'es2022' },
    worker: { format: 'es' },
  });
  server = await startStaticServer({ app: join(project, 'dist'), bundle: join(project, 'bundle') });
});

test.afterAll(async () => {
  await server?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

const cli = (args: string[]) =>
  execFileSync('npx', ['--no-install', 'featurecast', ...args], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('the packed CLI builds a bundle for a new dataset, and Node and a Chromium worker predict the same from it', async ({ page }) => {
  test.setTimeout(120_000);
  cli(['fit', '--spec', 'spec.json', '--data', 'train.csv', '--out', 'pipeline.json', '--quiet']);
  const pipeline = JSON.parse(readFileSync(join(project, 'pipeline.json'), 'utf8'));
  expect(pipeline.columns).toEqual([
    'date.dayOfYear',
    'date.weekday',
    'date.month',
    'temperature',
    'weather=sun',
    'weather=cloud',
    'weather=rain',
    'promo',
  ]);
  cli(['features', '--pipeline', 'pipeline.json', 'train.csv', '--keep', 'sales', '--out', 'features.csv', '--quiet']);
  expect(readFileSync(join(project, 'features.csv'), 'utf8').split('\n')[0]).toBe(`${pipeline.columns.join(',')},sales`);
  cli(['train', '--pipeline', 'pipeline.json', '--data', 'train.csv', '--target', 'sales', '--out', 'bundle', '--trees', '60', '--quiet']);
  expect(cli(['check', 'bundle'])).toContain('cafe-sales 1.0.0: ok');

  mkdirSync(join(project, 'node'), { recursive: true });
  writeFileSync(
    join(project, 'node', 'predict.mjs'),
    `import { createPredictor } from 'featurecast';
const p = await createPredictor('bundle/manifest.json');
console.log(JSON.stringify(await p.predictBatch(${JSON.stringify(queries)}, { invalid: 'report' })));
await p.dispose();\n`,
  );
  const inNode = JSON.parse(execFileSync(process.execPath, ['node/predict.mjs'], { cwd: project, encoding: 'utf8' }));
  expect(inNode.slice(0, 3).every((p: { sales: number }) => p.sales > 50 && p.sales < 400)).toBe(true);
  // −80 °C is physically impossible: refused, not clipped.
  expect(inNode[3].error.issues[0]).toMatchObject({ path: 'temperature', kind: 'implausible' });

  await page.goto(`${server.url}/-/app/index.html`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  const inBrowser = await page.evaluate(
    async ({ url, records }) => {
      const { featurecast } = window as unknown as { featurecast: typeof import('featurecast') };
      const p = await featurecast.createPredictor(url, { cache: false });
      const out = { runtime: p.runtime, predictions: await p.predictBatch(records, { invalid: 'report' }) };
      await p.dispose();
      return out;
    },
    { url: `${server.url}/-/bundle/manifest.json`, records: queries },
  );
  expect(inBrowser.runtime).toBe('worker');
  expect(inBrowser.predictions).toEqual(inNode);
});
