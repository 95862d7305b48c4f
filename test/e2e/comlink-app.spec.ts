import { expect, test } from '@playwright/test';
import { siteUrl, watchProblems, type Flag } from './helpers.js';

/**
 * Issue 19, item 1: featurecast leaves comlink as it found it. An app that uses comlink with a
 * worker of its own (test/e2e/comlink-app) gets comlink's default error transfer, both ways, before
 * and after featurecast is imported and has thrown errors; featurecast's own errors still keep their
 * class, `code` and details across its worker boundary.
 */

function bundleUrls(flags: readonly Flag[] = []) {
  return { manifest: siteUrl('fixtures', flags, 'manifest.json'), model: siteUrl('fixtures', flags, 'model.onnx') };
}

test("an app using comlink itself keeps comlink's default error transfer; featurecast errors keep class and code", async ({ page }) => {
  const problems = watchProblems(page);
  await page.goto(siteUrl('comlink-app'));
  await page.waitForFunction(() => window.comlinkAppReady === true);
  const result = await page.evaluate(
    async ({ good, missing }) => {
      const app = window.comlinkApp;
      // comlink's behaviour in this page before featurecast was ever imported.
      const before = await app.appErrors();
      const fc = await app.loadFeaturecast();
      const failure = async (work: () => Promise<unknown>) => {
        try {
          await work();
        } catch (error) {
          const e = error as InstanceType<typeof fc.FeaturecastError>;
          return {
            name: e.name,
            code: e.code,
            isFeaturecastError: e instanceof fc.FeaturecastError,
            isValidationError: e instanceof fc.ValidationError,
            isBundleError: e instanceof fc.BundleError,
            issues: (e as InstanceType<typeof fc.ValidationError>).issues?.map((i) => `${i.index} ${i.path}`),
            status: e.details?.status,
          };
        }
        throw new Error('expected a failure');
      };
      const p = await fc.createPredictor(good, { cache: false });
      const plain = { date: '2012-01-02', temperature: 10, humidity: 50, weather: 'clear' };
      // A bare run message, then comlink calls: matchActuals, and load (createPredictor).
      const predict = await failure(() => p.predict({ ...plain, temperature: 'warm' }));
      const actuals = await failure(() =>
        p.reportActuals([
          { actual: 1, record: plain },
          { actual: 2, record: { ...plain, weather: 'fog' } },
        ]),
      );
      const during = await app.appErrors();
      const runtime = p.runtime;
      await p.dispose();
      const load = await failure(() => fc.createPredictor(missing, { cache: false }));
      const after = await app.appErrors();
      return { before, during, after, untouched: app.handlersUntouched(), runtime, predict, actuals, load };
    },
    { good: bundleUrls(), missing: bundleUrls(['model404']) },
  );
  // comlink 4's default: a plain Error with the name, message and stack; class and extra fields are lost.
  expect(result.before.fromWorker).toMatchObject({
    isError: true,
    constructorName: 'Error',
    name: 'AppError',
    message: 'the app worker failed',
    hasStack: true,
  });
  expect(result.before.fromWorker.extra).toBeUndefined();
  expect(result.before.fromPage).toMatchObject({
    isError: true,
    constructorName: 'Error',
    name: 'PageError',
    message: 'the page callback failed',
    hasStack: true,
  });
  expect(result.before.fromPage.extra).toBeUndefined();
  expect(result.during).toEqual(result.before);
  expect(result.after).toEqual(result.before);
  expect(result.untouched).toBe(true);

  expect(result.runtime).toBe('worker');
  const validation = { name: 'ValidationError', code: 'ERR_VALIDATION', isFeaturecastError: true, isValidationError: true };
  expect(result.predict).toMatchObject({ ...validation, issues: ['0 temperature'] });
  expect(result.actuals).toMatchObject({ ...validation, issues: ['1 record.weather'] });
  expect(result.load).toMatchObject({
    name: 'BundleError',
    code: 'ERR_BUNDLE_FETCH',
    isFeaturecastError: true,
    isBundleError: true,
    status: 404,
  });
  // The page itself asks for the missing model (loading/prefetch.ts), so Chromium logs that one 404.
  expect(problems).toEqual(['console.error: Failed to load resource: the server responded with a status of 404 (Not Found)']);
});
