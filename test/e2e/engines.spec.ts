import { readFileSync } from 'node:fs';
import { expect, test, type Browser } from '@playwright/test';
import { bundleModel, fitPipeline } from 'featurecast/build';
import { requestLog, siteUrl, watchProblems, type Flag } from './helpers.js';

/**
 * Which engine runs a model, in a real Chromium worker: bike-daily (one tree ensemble) on the
 * built-in tree engine with no byte of onnxruntime requested, an MLP on onnxruntime-web, and the
 * same predictions from both engines for the tree model.
 */

const bike = {
  manifest: JSON.parse(readFileSync(new URL('../../models/bike-daily/manifest.json', import.meta.url), 'utf8')) as unknown,
  model: [...readFileSync(new URL('../../models/bike-daily/model.onnx', import.meta.url))],
};
const mlpBytes = readFileSync(new URL('../fixtures/onnx/mlp.onnx', import.meta.url));
const mlpRows = [
  { a: 0.5, b: -1, c: 2 },
  { a: 1, b: 0, c: -3 },
];

async function mlpBundle(): Promise<{ manifest: unknown; model: number[] }> {
  const inputs = ['a', 'b', 'c'].map((name) => ({ name, type: 'number', outOfRange: 'extrapolate' }) as const);
  const features = ['a', 'b', 'c'].map((input) => ({ step: 'passthrough', input }) as const);
  const pipeline = await fitPipeline({ name: 'mlp', version: '1', inputs, features, output: { name: 'y' } }, mlpRows);
  const { manifest } = await bundleModel(pipeline, new Uint8Array(mlpBytes));
  return { manifest, model: [...mlpBytes] };
}
const records = Array.from({ length: 3000 }, (_, i) => ({
  date: `2012-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
  temperature: -5 + (i % 40),
  feelsLike: -8 + (i % 45),
  humidity: 20 + (i % 80),
  windSpeed: i % 50,
  weather: (['clear', 'mist', 'light-precipitation', 'heavy-precipitation'] as const)[i % 4],
}));

type Run = { engine: string; runtime: string; predictions: unknown[] } | { error: { name: string; code: string; message: string } };

async function runIn(
  browser: Browser,
  flags: Flag[],
  bundle: { manifest: unknown; model: number[] },
  engine: string,
  batch: unknown[],
): Promise<{ run: Run; problems: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(siteUrl('harness', flags));
  await page.waitForFunction(() => window.harnessReady === true);
  const run = await page.evaluate(
    async ({ bundle, engine, batch }) => {
      try {
        const p = await window.featurecast.createPredictor(
          { manifest: bundle.manifest as never, model: new Uint8Array(bundle.model) },
          { cache: false, engine: engine as 'auto' },
        );
        try {
          return { engine: p.info.engine, runtime: p.runtime, predictions: await p.predictBatch(batch) };
        } finally {
          await p.dispose();
        }
      } catch (e) {
        const error = e as Error & { code: string };
        return { error: { name: error.name, code: error.code, message: error.message } };
      }
    },
    { bundle, engine, batch },
  );
  await context.close();
  return { run, problems };
}

test('a tree model runs on the built-in engine and never requests onnxruntime; another graph loads it on demand', async ({ browser }) => {
  test.setTimeout(90_000);
  const trees = await runIn(browser, ['t-engine-trees', 'csp'], bike, 'auto', records);
  expect(trees.run).toMatchObject({ engine: 'trees', runtime: 'worker' });
  expect(trees.problems).toEqual([]);

  const ort = await runIn(browser, ['t-engine-ort', 'csp'], await mlpBundle(), 'auto', mlpRows);
  expect(ort.run).toMatchObject({ engine: 'onnxruntime', runtime: 'worker' });
  expect(ort.problems).toEqual([]);

  const treePaths = new Set((await requestLog('t-engine-trees')).map((r) => r.path));
  const ortOnly = (await requestLog('t-engine-ort')).map((r) => r.path).filter((p) => !treePaths.has(p));
  // What the onnxruntime page fetched beyond the tree page: onnxruntime's JS chunk and its wasm.
  expect(
    ortOnly.some((p) => p.endsWith('.wasm')),
    ortOnly.join(', '),
  ).toBe(true);
  expect(
    ortOnly.some((p) => p.endsWith('.js')),
    ortOnly.join(', '),
  ).toBe(true);
  expect([...treePaths].filter((p) => /ort|\.wasm$/.test(p))).toEqual([]);
});

test('bike-daily: the tree engine and onnxruntime-web give the same predictions in the worker', async ({ browser }) => {
  test.setTimeout(90_000);
  const trees = await runIn(browser, [], bike, 'trees', records);
  const ort = await runIn(browser, [], bike, 'onnxruntime', records);
  expect(trees.run).toMatchObject({ engine: 'trees' });
  expect(ort.run).toMatchObject({ engine: 'onnxruntime' });
  expect('predictions' in trees.run && trees.run.predictions).toEqual('predictions' in ort.run && ort.run.predictions);
});

test("engine 'trees' refuses a graph that is not a tree ensemble, saying why", async ({ browser }) => {
  const { run } = await runIn(browser, [], await mlpBundle(), 'trees', mlpRows);
  expect(run).toMatchObject({ error: { name: 'UnsupportedError', code: 'ERR_UNSUPPORTED' } });
  expect('error' in run && run.error.message).toMatch(/MatMul/);
});
