import { expect, test, type Page } from '@playwright/test';
import { tinyRecords } from '../fixtures/tiny-bundle.js';
import { requestLog, siteUrl, type Flag } from './helpers.js';

/**
 * What makes a second visit fast, in a real Chromium: the page fetches the manifest and model
 * while its worker starts, and a tree ensemble read once is kept in the Cache API beside its
 * model (trees/stored.ts), so a later load reads neither the model nor its ONNX.
 */

const source = (flags: Flag[] = []) => ({
  manifest: siteUrl('fixtures', flags, 'manifest.json'),
  model: siteUrl('fixtures', flags, 'model.onnx'),
});

async function open(page: Page, flags: Flag[] = []): Promise<void> {
  await page.goto(siteUrl('harness', flags));
  await page.waitForFunction(() => window.harnessReady === true);
}

/** Loads, predicts one fixture record, disposes; the value, the engine and the load's progress stages in order. */
function loadAndPredict(page: Page, flags: Flag[] = []) {
  return page.evaluate(
    async ({ source, record }) => {
      const stages: string[] = [];
      const p = await window.featurecast.createPredictor(source, {
        onProgress: (s) => {
          if (stages.at(-1) !== s.stage) stages.push(s.stage);
        },
      });
      const value = (await p.predict(record)).value as number;
      const engine = p.info.engine;
      await p.dispose();
      return { value, engine, stages };
    },
    { source: source(flags), record: tinyRecords(1, 3)[0]! },
  );
}

/** Cache API entries of the fixture bundle: `model` (verified bytes) and `trees` (the kept ensemble). */
function entries(page: Page) {
  return page.evaluate(async () => {
    const keys = (await (await caches.open('featurecast-v1')).keys()).map((r) => r.url);
    return { model: keys.filter((u) => u.includes('featurecast-sha256=')), trees: keys.filter((u) => u.includes('featurecast-trees=')) };
  });
}

/** The first load keeps its ensemble a moment after it is ready: wait for it. */
async function ensembleKept(page: Page): Promise<string> {
  await expect.poll(async () => (await entries(page)).trees.length, { timeout: 10_000 }).toBe(1);
  return (await entries(page)).trees[0]!;
}

test('a first load fetches manifest and model once each, from the page rather than its worker, with progress in order', async ({
  page,
}) => {
  const tag = `t-warm-first-${test.info().repeatEachIndex}` as const;
  await open(page, [tag]);
  const first = await loadAndPredict(page, [tag]);
  expect(first.engine).toBe('trees');
  expect(first.stages).toEqual(['manifest', 'model', 'verify', 'session', 'ready']);
  const bundle = (await requestLog(tag)).filter((r) => /\/fixtures\/(manifest\.json|model\.onnx)$/.test(r.path));
  expect(bundle.map((r) => r.path.split('/').at(-1)).sort()).toEqual(['manifest.json', 'model.onnx']);
  for (const request of bundle) expect(request.referer).toBe(page.url());
});

test('a kept tree ensemble spares the model: the next load reads no model at all and predicts the same', async ({ page }) => {
  await open(page);
  const first = await loadAndPredict(page);
  await ensembleKept(page);
  // Without the model's own cache entry, reading the model would have to go to the server.
  await page.evaluate(async () => {
    const cache = await caches.open('featurecast-v1');
    for (const key of await cache.keys()) if (key.url.includes('featurecast-sha256=')) await cache.delete(key);
  });
  let modelRequests = 0;
  await page.route('**/fixtures/model.onnx', (route) => {
    modelRequests++;
    return route.abort('internetdisconnected');
  });
  const second = await loadAndPredict(page);
  expect(second).toEqual({ value: first.value, engine: 'trees', stages: ['manifest', 'session', 'ready'] });
  expect(modelRequests).toBe(0);
});

test('a damaged kept ensemble is dropped: the model is read again, predictions are unchanged, and a good copy is kept', async ({
  page,
}) => {
  await open(page);
  const first = await loadAndPredict(page);
  const key = await ensembleKept(page);
  const damaged = await page.evaluate(async (key) => {
    const cache = await caches.open('featurecast-v1');
    const bytes = new Uint8Array(await (await cache.match(key))!.arrayBuffer());
    bytes[bytes.length - 5]! ^= 0x40;
    await cache.put(key, new Response(bytes));
    return [...bytes];
  }, key);
  const second = await loadAndPredict(page);
  expect(second).toEqual({ value: first.value, engine: 'trees', stages: ['manifest', 'model', 'verify', 'session', 'ready'] });
  await ensembleKept(page);
  const kept = await page.evaluate(
    async (key) => [...new Uint8Array(await (await (await caches.open('featurecast-v1')).match(key))!.arrayBuffer())],
    key,
  );
  expect(kept).not.toEqual(damaged);
  expect(kept).toHaveLength(damaged.length);
});

test('cache: false keeps nothing, and every load reads the model', async ({ page }) => {
  const tag = `t-warm-nocache-${test.info().repeatEachIndex}` as const;
  await open(page);
  const load = () =>
    page.evaluate(
      async ({ source, record }) => {
        const p = await window.featurecast.createPredictor(source, { cache: false });
        const value = (await p.predict(record)).value as number;
        await new Promise((r) => setTimeout(r, 500));
        await p.dispose();
        return value;
      },
      { source: source([tag]), record: tinyRecords(1, 3)[0]! },
    );
  expect(await load()).toBe(await load());
  expect(await entries(page)).toEqual({ model: [], trees: [] });
  expect((await requestLog(tag)).filter((r) => r.path.endsWith('model.onnx'))).toHaveLength(2);
});

test('a model the server refuses is asked for once: the load fails with its status, as when the worker asked', async ({ page }) => {
  const tag = `t-warm-404-${test.info().repeatEachIndex}` as const;
  await open(page);
  const failure = await page.evaluate(
    async (source) => {
      try {
        await window.featurecast.createPredictor(source, { cache: false });
        return undefined;
      } catch (e) {
        const error = e as Error & { code: string; details: { status?: number } };
        return { name: error.name, code: error.code, status: error.details.status, message: error.message };
      }
    },
    source(['model404', tag]),
  );
  expect(failure).toMatchObject({
    name: 'BundleError',
    code: 'ERR_BUNDLE_FETCH',
    status: 404,
    message: expect.stringMatching(/model\.onnx: HTTP 404/),
  });
  expect((await requestLog(tag)).filter((r) => r.path.endsWith('model.onnx'))).toHaveLength(1);
});
