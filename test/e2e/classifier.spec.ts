import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { createPredictor } from 'featurecast';
import { bundleModel, fitPipeline } from 'featurecast/build';
import { fixturePath, XGBOOST_FIXTURES, xgboostPredictions, xgboostRecords, xgboostSpec } from '../fixtures/xgboost/bundles.js';
import { siteUrl, watchProblems } from './helpers.js';

/**
 * Models from other tools in a real Chromium Web Worker. A classifier bundle (tree ensemble, probabilities as a tensor):
 * the same labels and probabilities as the Node inline engine, across several worker messages,
 * and the same accuracy figures from true labels.
 */

const model = readFileSync(new URL('../fixtures/onnx/tree-classifier.onnx', import.meta.url));
const spec = {
  name: 'levels',
  version: '1',
  inputs: [
    { name: 'x0', type: 'number', outOfRange: 'extrapolate' },
    { name: 'x1', type: 'number', outOfRange: 'extrapolate' },
  ],
  features: [
    { step: 'passthrough', input: 'x0' },
    { step: 'passthrough', input: 'x1' },
  ],
  output: { name: 'level', kind: 'classification', labels: ['low', 'mid', 'high'] },
} as const;
// More than one worker message (2,048 records each), so the probabilities of slices are joined.
const records = Array.from({ length: 5000 }, (_, i) => ({ x0: (i % 10) / 9, x1: (i % 7) / 6 }));
const actuals = records.slice(0, 40).map((record, i) => ({ record, actual: ['low', 'mid', 'high'][i % 3]! }));

test('labels, probabilities and classifier accuracy are the same in a worker as inline in Node', async ({ page }) => {
  test.setTimeout(90_000);
  const pipeline = await fitPipeline(spec, records);
  const { manifest } = await bundleModel(pipeline, new Uint8Array(model));
  const node = await createPredictor({ manifest, model: new Uint8Array(model) }, { worker: false });
  const expected = { predictions: await node.predictBatch(records), accuracy: await node.reportActuals(actuals) };
  await node.dispose();

  const problems = watchProblems(page);
  await page.goto(siteUrl('harness'));
  await page.waitForFunction(() => window.harnessReady === true);
  const inWorker = await page.evaluate(
    async ({ manifest, bytes, records, actuals }) => {
      const p = await window.featurecast.createPredictor({ manifest, model: new Uint8Array(bytes) }, { cache: false });
      try {
        return { runtime: p.runtime, predictions: await p.predictBatch(records), accuracy: await p.reportActuals(actuals) };
      } finally {
        await p.dispose();
      }
    },
    { manifest, bytes: [...model], records, actuals },
  );
  expect(inWorker.runtime).toBe('worker');
  expect(inWorker.predictions).toEqual(expected.predictions);
  expect(inWorker.accuracy).toEqual(expected.accuracy);
  expect(expected.accuracy.accuracy).toBeGreaterThan(0);
  expect(problems).toEqual([]);
});

test("XGBoost models bundled from model.json predict XGBoost's own numbers in a Chromium worker (1e-5 relative)", async ({ page }) => {
  // Seven bundles, each started in a new worker.
  test.setTimeout(180_000);
  await page.goto(siteUrl('harness'));
  await page.waitForFunction(() => window.harnessReady === true);
  for (const name of XGBOOST_FIXTURES) {
    const pipeline = await fitPipeline(xgboostSpec(name), fixturePath(name, 'features.csv'));
    const { manifest, model: bytes } = await bundleModel(pipeline, fixturePath(name, 'model.json'));
    const out = await page.evaluate(
      async ({ manifest, bytes, records }) => {
        const p = await window.featurecast.createPredictor({ manifest, model: new Uint8Array(bytes) }, { cache: false });
        try {
          return { runtime: p.runtime, predictions: await p.predictBatch(records) };
        } finally {
          await p.dispose();
        }
      },
      { manifest, bytes: [...bytes], records: xgboostRecords(name) },
    );
    expect(out.runtime).toBe('worker');
    const want = xgboostPredictions(name);
    const got = out.predictions.map((p) => (p.probabilities ? Object.values(p.probabilities) : [p.y as number]));
    want.forEach((row, i) => {
      const mine = row.length === 1 && got[i]!.length === 2 ? [got[i]![1]!] : got[i]!;
      row.forEach((w, c) =>
        expect(Math.abs(mine[c]! - w) / Math.max(Math.abs(w), 1e-6), `${name} row ${i} column ${c}`).toBeLessThan(1e-5),
      );
    });
  }
});
