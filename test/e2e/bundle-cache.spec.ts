import { expect, test } from '@playwright/test';
import { siteUrl } from './helpers.js';

/**
 * The model cache (Cache API, keyed by the manifest's sha256) in a real browser: a download that
 * fails verification must not be kept, or one bad response (a truncated transfer, a deploy
 * caught halfway) would fail every later visit, even after the server is right again.
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
    page.evaluate(async (source) => {
      try {
        const p = await window.featurecast.createPredictor(source);
        const runtime = p.runtime;
        await p.dispose();
        return runtime;
      } catch (error) {
        return String((error as Error).message);
      }
    }, { manifest: siteUrl('fixtures', [], 'manifest.json'), model: siteUrl('fixtures', [], 'model.onnx') });

  expect(await load()).toMatch(/has sha256 \w+, the manifest pins/);
  corrupt = false;
  expect(await load()).toBe('worker');
  expect(fetched).toBe(2);
});
