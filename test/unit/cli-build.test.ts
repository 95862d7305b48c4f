import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The build commands through the real CLI (from source, as `featurecast …` runs dist/cli/main.js); test/e2e/pack.spec.ts runs the packed one.
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'featurecast-cli-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Paths relative to the temp folder; tsx resolves from the repo.
const cli = (command: string, ...args: string[]) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', MAIN, command, ...args.map((a) => (/^[\w-]+\.(json|csv|pkl)$|^bundle$|^b$/.test(a) ? join(dir, a) : a))],
    { cwd: ROOT, encoding: 'utf8' },
  );
const file = (name: string, text: string) => writeFileSync(join(dir, name), text);

const spec = {
  name: 'shop',
  version: '1',
  inputs: [
    { name: 'day', type: 'date' },
    { name: 'price', type: 'number', valid: { min: 0, max: 1000 } },
    { name: 'kind', type: 'category' },
  ],
  features: [
    { step: 'calendar', input: 'day', parts: ['weekday'] },
    { step: 'log1p', input: 'price' },
    { step: 'oneHot', input: 'kind' },
  ],
  output: { name: 'sold', transform: 'log1p' },
};
const rows = Array.from(
  { length: 60 },
  (_, i) => `2024-03-${String(1 + (i % 28)).padStart(2, '0')},${5 + i},${i % 2 ? 'a' : 'b'},${10 + (i % 7)}`,
);
file('spec.json', JSON.stringify(spec));
file('train.csv', ['day,price,kind,sold', ...rows].join('\n'));

describe('featurecast fit / features / train / bundle / check', { timeout: 60_000 }, () => {
  it('build a bundle end to end; check passes it', () => {
    expect(cli('fit', '--spec', 'spec.json', '--data', 'train.csv', '--out', 'pipeline.json').status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'pipeline.json'), 'utf8')).columns).toEqual([
      'day.weekday',
      'log1p(price)',
      'kind=a',
      'kind=b',
    ]);
    const features = cli('features', '--pipeline', 'pipeline.json', 'train.csv', '--keep', 'sold', '--out', 'features.csv', '--quiet');
    expect([features.status, features.stderr]).toEqual([
      0,
      `featurecast: wrote 60 rows × 4 features + sold to ${join(dir, 'features.csv')}\n`,
    ]);
    expect(
      cli('train', '--pipeline', 'pipeline.json', '--data', 'train.csv', '--target', 'sold', '--out', 'bundle', '--trees', '20', '--quiet')
        .status,
    ).toBe(0);
    const check = cli('check', 'bundle');
    expect([check.status, check.stdout.split('\n')[0]]).toEqual([0, 'shop 1: ok']);
  });

  it('bad training rows exit 1, each named by line and field; bad flags exit 2', () => {
    file('bad.csv', ['day,price,kind,sold', '2024-03-01,5,a,1', '2024-13-01,5,a,1', '2024-03-02,-3,b,1'].join('\n'));
    const fit = cli('fit', '--spec', 'spec.json', '--data', 'bad.csv', '--out', 'never.json');
    expect(fit.status).toBe(1);
    expect(fit.stderr).toContain('line 3, field "day": "2024-13-01" is not a valid calendar date');
    expect(fit.stderr).toContain('line 4, field "price": -3 is outside the possible 0…1000');
    expect(
      cli('train', '--pipeline', 'pipeline.json', '--data', 'train.csv', '--target', 'sold', '--out', 'b', '--trees', 'many').status,
    ).toBe(2);
  });

  it("bundle refuses a model that does not take the pipeline's columns (exit 1), and a model file it cannot read", () => {
    const bike = fileURLToPath(new URL('../../models/bike-daily/model.onnx', import.meta.url));
    const wrong = cli('bundle', '--pipeline', 'pipeline.json', '--model', bike, '--out', 'b');
    expect([wrong.status, wrong.stderr]).toEqual([
      1,
      expect.stringMatching(
        /shape \[N, 10\], but the pipeline writes 4 columns per row: \[N, 4\] of day\.weekday, log1p\(price\), kind=a, kind=b/,
      ),
    ]);
    const pickle = cli('bundle', '--pipeline', 'pipeline.json', '--model', 'model.pkl', '--out', 'b');
    expect([pickle.status, pickle.stderr]).toEqual([
      1,
      `featurecast: ${join(dir, 'model.pkl')}: featurecast bundles .onnx, .json model files (ONNX, XGBoost JSON)\n`,
    ]);
  });
});
