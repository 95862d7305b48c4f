import { expect, test, type Page } from '@playwright/test';
import { createPredictor } from 'featurecast';
import { tinyBundle, tinyRecords } from '../fixtures/tiny-bundle.js';
import { siteUrl } from './helpers.js';

/**
 * The model cache (Cache API, keyed by the manifest's sha256) in a real browser: a download that
 * fails verification must not be kept, or one bad response (a truncated transfer, a deploy
 * caught halfway) would fail every later visit, even after the server is right again. A good
 * one serves later visits without the network, until a new version (another sha256) replaces it.
 * onnxruntime's wasm is kept there too, and dropped when onnxruntime cannot start from it.
 */

test('a model that fails its sha256 check is not cached: the next load fetches it again', async ({ page }) => {
  await page.goto(siteUrl('harness'));
  await page.waitForFunction(() => window.harnessReady === true);
  let corrupt = true;
  let fetched = 0;
  await page.route('**/fixtures/model.onnx', async (route) => {
    fetched++;
    const response = await route.fetch();
    const body = await response.body();
    if (corrupt) body[body.length - 1]! ^= 0xff;
    await route.fulfill({ response, body });
  });
  const load = () =>
    page.evaluate(
      async (source) => {
        try {
          const p = await window.featurecast.createPredictor(source);
          const runtime = p.runtime;
          await p.dispose();
          return runtime;
        } catch (error) {
          return String((error as Error).message);
        }
      },
      { manifest: siteUrl('fixtures', [], 'manifest.json'), model: siteUrl('fixtures', [], 'model.onnx') },
    );

  expect(await load()).toMatch(/has sha256 \w+, the manifest pins/);
  corrupt = false;
  expect(await load()).toBe('worker');
  expect(fetched).toBe(2);
});

type Source = { manifest: string; model: string };
const fixture: Source = { manifest: siteUrl('fixtures', [], 'manifest.json'), model: siteUrl('fixtures', [], 'model.onnx') };

/** Loads in the page, predicts one fixture record, and lists the cache entries of model bytes. */
function loadAndPredict(page: Page, source: Source) {
  return page.evaluate(
    async ({ source, record }) => {
      const p = await window.featurecast.createPredictor(source);
      const value = (await p.predict(record)).value as number;
      await p.dispose();
      const cache = await caches.open('featurecast-v1');
      const keys = (await cache.keys()).map((r) => r.url).filter((u) => u.includes('featurecast-sha256='));
      return { value, keys };
    },
    { source, record: tinyRecords(1, 3)[0]! },
  );
}

test('a second visit predicts with the bundle server unreachable, from the Cache API', async ({ page }) => {
  await page.goto(siteUrl('harness'));
  await page.waitForFunction(() => window.harnessReady === true);
  const first = await loadAndPredict(page, fixture);
  expect(first.keys).toHaveLength(1);
  await page.route('**/fixtures/**', (route) => route.abort('internetdisconnected'));
  const offline = await loadAndPredict(page, fixture);
  expect(offline.value).toBe(first.value);
});

test('a new model version replaces the old one in the cache', async ({ page }) => {
  const v2 = await tinyBundle('0.0.2');
  await page.goto(siteUrl('harness'));
  await page.waitForFunction(() => window.harnessReady === true);
  const v1 = await loadAndPredict(page, fixture);
  expect(v1.keys[0]).toContain(`featurecast-sha256=${(await tinyBundle()).manifest.model.sha256}`);

  await page.route('**/fixtures/manifest.json', (route) =>
    route.fulfill({ contentType: 'application/json', body: JSON.stringify(v2.manifest) }),
  );
  await page.route('**/fixtures/model.onnx', (route) =>
    route.fulfill({ contentType: 'application/octet-stream', body: Buffer.from(v2.model) }),
  );
  const after = await loadAndPredict(page, fixture);
  const node = await createPredictor(v2, { worker: false });
  const expected = (await node.predict(tinyRecords(1, 3)[0]!)).value as number;
  await node.dispose();
  expect(after.value).not.toBe(v1.value);
  expect(Math.abs(after.value - expected) / expected).toBeLessThan(1e-6);
  expect(after.keys).toEqual([expect.stringContaining(`featurecast-sha256=${v2.manifest.model.sha256}`)]);
});

/** onnxruntime's wasm entries in the page's cache (the runtime is kept beside the model). */
function runtimeKeys(page: Page) {
  return page.evaluate(async () => {
    const cache = await caches.open('featurecast-v1');
    return (await cache.keys()).map((r) => r.url).filter((u) => u.includes('featurecast-runtime='));
  });
}

/** Loads on onnxruntime (whose wasm these tests are about), predicts one fixture record and disposes; an error comes back as its message. */
function predictOnce(page: Page) {
  return page.evaluate(
    async ({ source, record }) => {
      try {
        const p = await window.featurecast.createPredictor(source, { engine: 'onnxruntime' });
        const value = (await p.predict(record)).value as number;
        await p.dispose();
        return value;
      } catch (error) {
        return String((error as Error).message);
      }
    },
    { source: fixture, record: tinyRecords(1, 3)[0]! },
  );
}

test("onnxruntime's wasm is kept in the Cache API: a later load makes no wasm request", async ({ page }) => {
  await page.goto(siteUrl('harness'));
  await page.waitForFunction(() => window.harnessReady === true);
  const first = await predictOnce(page);
  expect(typeof first).toBe('number');
  expect(await runtimeKeys(page)).toEqual([expect.stringMatching(/\.wasm\?featurecast-runtime=\d+\.\d+\.\d+/)]);
  let wasmRequests = 0;
  await page.route('**/*.wasm', (route) => {
    wasmRequests++;
    return route.abort('internetdisconnected');
  });
  expect(await predictOnce(page)).toBe(first);
  expect(wasmRequests).toBe(0);
});

test('a stored wasm onnxruntime cannot start from is dropped: the next load downloads it again', async ({ page }) => {
  await page.goto(siteUrl('harness'));
  await page.waitForFunction(() => window.harnessReady === true);
  const first = await predictOnce(page);
  const [key] = await runtimeKeys(page);
  await page.evaluate(async (key) => {
    const cache = await caches.open('featurecast-v1');
    await cache.put(key!, new Response(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]), { headers: { 'content-type': 'application/wasm' } }));
  }, key);
  expect(await predictOnce(page)).toMatch(/onnxruntime could not create a session/);
  expect(await runtimeKeys(page)).toEqual([]);
  expect(await predictOnce(page)).toBe(first);
  expect(await runtimeKeys(page)).toEqual([key]);
});
