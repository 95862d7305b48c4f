import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleModel } from '../../src/build/bundle.js';
import { fitPipeline } from '../../src/build/fit.js';
import { createPredictor, type Prediction } from '../../src/index.js';
import { fixturePath, XGBOOST_FIXTURES, xgboostPredictions, xgboostRecords, xgboostSpec } from '../fixtures/xgboost/bundles.js';

/** XGBoost model.json files bundled as a user would (`bundle --model model.json`) and predicted through the library in Node. */

/** The library's answer in XGBoost's shape: the number, or the probability of each class (a binary one: of class 1). */
function asXgboost(p: Prediction, columns: number): number[] {
  if (p.probabilities) {
    const all = Object.values(p.probabilities);
    return columns === 1 ? [all[1]!] : all;
  }
  return [p.y as number];
}

const worstRelative = (got: number[][], want: number[][]) =>
  Math.max(...want.flatMap((row, i) => row.map((w, c) => Math.abs(got[i]![c]! - w) / Math.max(Math.abs(w), 1e-6))));

describe('XGBoost models, bundled and predicted inline', () => {
  for (const name of XGBOOST_FIXTURES) {
    it(`${name}: equals XGBoost's predictions to 1e-5 relative on every row, and the bundle proves it against the source trees and predictions.csv`, async () => {
      const pipeline = await fitPipeline(xgboostSpec(name), fixturePath(name, 'features.csv'));
      const bundle = await bundleModel(pipeline, fixturePath(name, 'model.json'), {
        check: fixturePath(name, 'features.csv'),
        expect: fixturePath(name, 'predictions.csv'),
      });
      expect(bundle.parity!.rows).toBe(48);
      const predictor = await createPredictor(bundle, { worker: false });
      const want = xgboostPredictions(name);
      const got = (await predictor.predictBatch(xgboostRecords(name))).map((p) => asXgboost(p, want[0]!.length));
      await predictor.dispose();
      expect(worstRelative(got, want)).toBeLessThan(1e-5);
    });
  }

  it('without check rows, the conversion is proven on rows sampled from the training ranges', async () => {
    const pipeline = await fitPipeline(xgboostSpec('missing'), fixturePath('missing', 'features.csv'));
    const bundle = await bundleModel(pipeline, fixturePath('missing', 'model.json'));
    expect(bundle.parity).toMatchObject({ rows: 500 });
    expect(bundle.parity!.worstRelativeDiff).toBeLessThan(1e-5);
  });

  it('refuses a model whose objective does not fit the output, and wrong expectations name the row', async () => {
    const regression = await fitPipeline(xgboostSpec('regression'), fixturePath('regression', 'features.csv'));
    const asRegression = { ...xgboostSpec('binary'), output: { name: 'y' } };
    const binaryAsRegression = await fitPipeline(asRegression, fixturePath('binary', 'features.csv'));
    await expect(bundleModel(binaryAsRegression, fixturePath('binary', 'model.json'))).rejects.toThrow(
      /binary:logistic is classification with 2 classes; the pipeline's output is regression/,
    );
    const shifted = xgboostPredictions('regression').map(([v], i) => (i === 5 ? v! + 1 : v!));
    await expect(
      bundleModel(regression, fixturePath('regression', 'model.json'), {
        check: fixturePath('regression', 'features.csv'),
        expect: shifted,
      }),
    ).rejects.toThrow(/1 of 48 check values differ from the expected predictions[\s\S]*line 7: library/);
  });

  it('featurecast bundle --model model.json, through the CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'featurecast-xgb-'));
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(xgboostSpec('multiclass')));
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url)), ...args], {
        encoding: 'utf8',
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
      });
    expect(
      cli(
        'fit',
        '--spec',
        join(dir, 'spec.json'),
        '--data',
        fixturePath('multiclass', 'features.csv'),
        '--out',
        join(dir, 'pipeline.json'),
        '--quiet',
      ).status,
    ).toBe(0);
    const run = cli(
      'bundle',
      '--pipeline',
      join(dir, 'pipeline.json'),
      '--model',
      fixturePath('multiclass', 'model.json'),
      '--out',
      join(dir, 'b'),
      '--check',
      fixturePath('multiclass', 'features.csv'),
      '--expect',
      fixturePath('multiclass', 'predictions.csv'),
      '--quiet',
    );
    expect([run.status, run.stderr]).toEqual([0, expect.stringMatching(/48 check rows equal the expected predictions/)]);
    expect(JSON.parse(readFileSync(join(dir, 'b', 'manifest.json'), 'utf8')).output).toMatchObject({
      kind: 'classification',
      labels: ['c0', 'c1', 'c2'],
    });
    const predict = cli('predict', '--bundle', join(dir, 'b', 'manifest.json'), '--ndjson', fixturePath('multiclass', 'features.csv'));
    const first = JSON.parse(predict.stdout.split('\n')[0]!);
    expect(first).toMatchObject({
      label: expect.stringMatching(/^c[012]$/),
      probabilities: { c0: expect.any(Number), c1: expect.any(Number), c2: expect.any(Number) },
    });
    expect(Object.values(first.probabilities as Record<string, number>)).toEqual(
      xgboostPredictions('multiclass')[0]!.map((p) => expect.closeTo(p, 6)),
    );
  });
});
