import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createPredictor, type Prediction } from 'featurecast';
import { tinyRecords } from '../fixtures/tiny-bundle.js';
import { siteUrl, watchProblems, type Flag } from './helpers.js';

/**
 * Issue 2's browser proof, on the tiny fixture bundle: the library built by an app's Vite,
 * predicting in a real module Web Worker, answers what the Node inline engine answers, and its
 * errors keep their class, code and details across the worker boundary.
 */

const N = 10_000; // several worker messages (2048 records each), so the batch is split and merged
const records = tinyRecords(N, 2024);

function bundleUrls(flags: readonly Flag[] = []) {
  return { manifest: siteUrl('fixtures', flags, 'manifest.json'), model: siteUrl('fixtures', flags, 'model.onnx') };
}

let expected: Prediction[];

test.beforeAll(async () => {
  const node = await createPredictor(bundleUrls(), { worker: false });
  expect(node.runtime).toBe('inline');
  expected = await node.predictBatch(records);
  await node.dispose();
});

async function openHarness(page: Page, flags: readonly Flag[] = []): Promise<string[]> {
  const problems = watchProblems(page);
  await page.goto(siteUrl('harness', flags));
  await page.waitForFunction(() => window.harnessReady === true);
  return problems;
}

/** Runs the batch in the page and returns runtime, values and bands as plain arrays. */
async function predictInPage(page: Page, worker: boolean) {
  return page.evaluate(
    async ({ source, records, worker }) => {
      const p = await window.featurecast.createPredictor(source, { worker, cache: false });
      try {
        const out = await p.predictBatch(records);
        return { runtime: p.runtime, values: out.map((o) => o.value as number), bands: out.map((o) => o.level as string) };
      } finally {
        await p.dispose();
      }
    },
    { source: bundleUrls(), records, worker },
  );
}

function expectSameAsNode(result: { values: number[]; bands: string[] }): void {
  expect(result.values).toHaveLength(N);
  let worst = 0;
  result.values.forEach((v, i) => {
    const e = expected[i]!.value as number;
    worst = Math.max(worst, Math.abs(v - e) / Math.max(1, Math.abs(e)));
  });
  // Same wasm, same float32 model input: identical in practice; allow float32 rounding.
  expect(worst).toBeLessThan(1e-6);
  expect(result.bands).toEqual(expected.map((p) => p.level));
}

test('predictBatch in a module Web Worker equals the Node inline answers', async ({ page }) => {
  const problems = await openHarness(page);
  const result = await predictInPage(page, true);
  expect(result.runtime).toBe('worker');
  expectSameAsNode(result);
  expect(problems).toEqual([]);
});

test('{ worker: false } in the browser gives the same numbers', async ({ page }) => {
  const problems = await openHarness(page);
  const result = await predictInPage(page, false);
  expect(result.runtime).toBe('inline');
  expectSameAsNode(result);
  expect(problems).toEqual([]);
});

test('a split batch in report mode keeps every warning and rejection where Node puts it', async ({ page }) => {
  // Clipped temperatures, dates past the training years and rejected humidities, across messages.
  const mixed = records.map((r, i) => ({
    ...r,
    ...(i % 7 === 0 ? { temperature: 99 } : {}),
    ...(i % 11 === 0 ? { date: `2015-03-${String(1 + (i % 28)).padStart(2, '0')}` } : {}),
    ...(i % 13 === 0 ? { humidity: 500 } : {}),
  }));
  const node = await createPredictor(bundleUrls(), { worker: false });
  const want = await node.predictBatch(mixed, { invalid: 'report' });
  await node.dispose();
  await openHarness(page);
  const got = await page.evaluate(
    async ({ source, records }) => {
      const p = await window.featurecast.createPredictor(source, { cache: false });
      try {
        return await p.predictBatch(records, { invalid: 'report' });
      } finally {
        await p.dispose();
      }
    },
    { source: bundleUrls(), records: mixed },
  );
  const withoutValue = (o: object) => ({ ...o, value: undefined });
  expect(got.map(withoutValue)).toEqual(want.map(withoutValue));
  expect(got.filter((o) => 'warnings' in o).length).toBeGreaterThan(N / 10);
  expect(got.filter((o) => 'error' in o).length).toBeGreaterThan(N / 20);
  got.forEach((o, i) => {
    const e = (want[i] as Prediction).value as number | undefined;
    if (e !== undefined) expect(Math.abs(((o as Prediction).value as number) - e) / Math.max(1, Math.abs(e))).toBeLessThan(1e-6);
  });
});

test('errors keep their class, code and details across the worker boundary', async ({ page }) => {
  await openHarness(page);
  const caught = await page.evaluate(
    async ({ good, missing, corrupt }) => {
      const fc = window.featurecast;
      const describe = (e: unknown) => {
        const err = e as InstanceType<typeof fc.FeaturecastError>;
        return {
          name: err.name,
          code: err.code,
          isFeaturecastError: err instanceof fc.FeaturecastError,
          isValidationError: err instanceof fc.ValidationError,
          isBundleError: err instanceof fc.BundleError,
          issues: (err as InstanceType<typeof fc.ValidationError>).issues,
          status: err.details?.status,
          url: err.details?.url,
          message: err.message,
        };
      };
      const failure = async (work: () => Promise<unknown>) => {
        try {
          await work();
        } catch (error) {
          return describe(error);
        }
        throw new Error('expected a failure');
      };
      const p = await fc.createPredictor(good, { cache: false });
      const bad = [
        { date: '2012-01-02', temperature: 10, humidity: 50, weather: 'clear' },
        { date: '2012-02-30', temperature: 'warm', humidity: 50, weather: 'snow' },
      ];
      const validation = await failure(() => p.predictBatch(bad));
      const runtime = p.runtime;
      await p.dispose();
      const disposed = await failure(() => p.predict(bad[0]));
      const notFound = await failure(() => fc.createPredictor(missing, { cache: false }));
      const integrity = await failure(() => fc.createPredictor(corrupt, { cache: false }));
      return { runtime, validation, disposed, notFound, integrity };
    },
    { good: bundleUrls(), missing: bundleUrls(['model404']), corrupt: bundleUrls(['modelcorrupt']) },
  );
  expect(caught.runtime).toBe('worker');
  expect(caught.validation).toMatchObject({
    name: 'ValidationError',
    code: 'ERR_VALIDATION',
    isFeaturecastError: true,
    isValidationError: true,
  });
  expect(caught.validation.issues.map((i) => [i.index, i.path])).toEqual([
    [1, 'date'],
    [1, 'temperature'],
    [1, 'weather'],
  ]);
  expect(caught.disposed).toMatchObject({ name: 'DisposedError', code: 'ERR_DISPOSED', isFeaturecastError: true });
  expect(caught.notFound).toMatchObject({ name: 'BundleError', code: 'ERR_BUNDLE_FETCH', isBundleError: true, status: 404 });
  expect(caught.notFound.url).toMatch(/model404\/fixtures\/model\.onnx$/);
  expect(caught.integrity).toMatchObject({ name: 'BundleError', code: 'ERR_BUNDLE_INTEGRITY', isBundleError: true });
  expect(caught.integrity.message).toMatch(/sha256/);
});

test('records postMessage cannot copy (Proxies, functions, symbols) get the inline answers and issues in the worker, in predictions and in actuals', async ({
  page,
}) => {
  await openHarness(page);
  const runs = await page.evaluate(
    async ({ source, plain }) => {
      // Built in the page: none of these can cross page.evaluate either.
      const awkward = (base: Record<string, unknown>): unknown[] => [
        new Proxy({ ...base }, {}), // a reactive record (Vue, MobX)
        { ...base, onSelect: Math.max }, // an extra method
        { ...base, temperature: Math.max }, // a function where a number belongs
        { ...base, weather: Symbol('rain') },
        { ...base, note: [Math.min], meta: new Proxy({}, {}) }, // extra fields holding uncopyable values
        Math.max, // not a record at all
      ];
      // 2,500 records: two worker messages, with awkward records in both.
      const at = [3, 700, 1500, 2049, 2200, 2499];
      const batch = (): unknown[] => {
        const records: unknown[] = plain.map((r) => ({ ...r }));
        awkward(plain[0]!).forEach((record, k) => (records[at[k]!] = record));
        return records;
      };
      const outcome = async (work: () => Promise<unknown>) => {
        try {
          return JSON.stringify(await work());
        } catch (error) {
          const e = error as { name: string; code?: string; issues?: unknown };
          return JSON.stringify({ name: e.name, code: e.code, issues: e.issues });
        }
      };
      const run = async (worker: boolean) => {
        const p = await window.featurecast.createPredictor(source, { worker, cache: false });
        try {
          return {
            runtime: p.runtime,
            report: await outcome(() => p.predictBatch(batch(), { invalid: 'report' })),
            strict: await outcome(() => p.predictBatch(batch(), { invalid: 'report', strict: true })),
            reject: await outcome(() => p.predictBatch(batch())),
            proxy: await outcome(() => p.predict(awkward(plain[0]!)[0])),
            fn: await outcome(() => p.predict(awkward(plain[0]!)[2])),
            // Over comlink, not as a run message: the same fallback applies to every message.
            actuals: await outcome(() =>
              p.reportActuals(
                awkward(plain[0]!)
                  .slice(0, 3)
                  .map((record, k) => ({ actual: 3 + k, record })),
              ),
            ),
          };
        } finally {
          await p.dispose();
        }
      };
      return { worker: await run(true), inline: await run(false) };
    },
    { source: bundleUrls(), plain: records.slice(0, 2500) },
  );
  expect([runs.worker.runtime, runs.inline.runtime]).toEqual(['worker', 'inline']);
  const { runtime: _w, ...worker } = runs.worker;
  const { runtime: _i, ...inline } = runs.inline;
  expect(worker).toEqual(inline);
  // Not equal by both failing alike: the Proxy is predicted, the function refused by field.
  expect(JSON.parse(worker.proxy)).toHaveProperty('value');
  expect(JSON.parse(worker.fn)).toMatchObject({ name: 'ValidationError', code: 'ERR_VALIDATION' });
  expect(JSON.parse(worker.fn).issues).toEqual([expect.objectContaining({ index: 0, path: 'temperature', received: 'function' })]);
  expect(JSON.parse(worker.actuals)).toMatchObject({ name: 'ValidationError', issues: [expect.objectContaining({ index: 2 })] });
  const report = JSON.parse(worker.report) as Array<{ value?: number; error?: { issues: Array<{ path: string; message: string }> } }>;
  expect(report.filter((r) => r.error).map((r) => r.error!.issues.map((i) => `${i.path}: ${i.message}`))).toEqual([
    ['temperature: expected a number, got function'],
    [expect.stringMatching(/^weather: expected one of .*, got symbol$/)],
    [': expected a record object, got function'],
  ]);
});

test('records with cycles and a function in them get the inline answers and issues in the worker', async ({ page }) => {
  await openHarness(page);
  const runs = await page.evaluate(
    async ({ source, plain }) => {
      // The function makes postMessage refuse each batch, so the worker path copies it (schema/sendable.ts).
      const cyclic = (): unknown[] => {
        const self: Record<string, unknown> = { ...plain, onSelect: Math.max };
        self.self = self;
        const loop: Record<string, unknown> = { format: Math.max };
        loop.loop = loop;
        const fieldIsRecord: Record<string, unknown> = { ...plain, humidity: Math.max };
        fieldIsRecord.temperature = fieldIsRecord;
        const records: unknown[] = [self, { ...plain, temperature: loop }, fieldIsRecord];
        records.push(records);
        return records;
      };
      const outcome = async (work: () => Promise<unknown>) => {
        try {
          return JSON.stringify(await work());
        } catch (error) {
          const e = error as { name: string; code?: string; issues?: unknown };
          return JSON.stringify({ name: e.name, code: e.code, issues: e.issues });
        }
      };
      const run = async (worker: boolean) => {
        const p = await window.featurecast.createPredictor(source, { worker, cache: false });
        try {
          return {
            runtime: p.runtime,
            report: await outcome(() => p.predictBatch(cyclic(), { invalid: 'report' })),
            strict: await outcome(() => p.predictBatch(cyclic(), { invalid: 'report', strict: true })),
            reject: await outcome(() => p.predictBatch(cyclic())),
          };
        } finally {
          await p.dispose();
        }
      };
      return { worker: await run(true), inline: await run(false) };
    },
    { source: bundleUrls(), plain: records[0]! },
  );
  expect([runs.worker.runtime, runs.inline.runtime]).toEqual(['worker', 'inline']);
  const { runtime: _w, ...worker } = runs.worker;
  const { runtime: _i, ...inline } = runs.inline;
  expect(worker).toEqual(inline);
  const report = JSON.parse(worker.report) as Array<{ value?: number; error?: { issues: Array<{ path: string; message: string }> } }>;
  expect(report.map((r) => (r.error ? r.error.issues.map((i) => `${i.path}: ${i.message}`) : typeof r.value))).toEqual([
    'number',
    ['temperature: expected a number, got object'],
    ['temperature: expected a number, got object', 'humidity: expected a number, got function'],
    [': expected a record object, got an array'],
  ]);
  expect(JSON.parse(worker.reject)).toMatchObject({ name: 'ValidationError', code: 'ERR_VALIDATION' });
});

test('the worker runs under a strict CSP and in a cross-origin-isolated page', async ({ page }) => {
  const problems = await openHarness(page, ['csp', 'coi']);
  const violations: string[] = [];
  await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
  await page.evaluate(() =>
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportViolation(v: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`),
    ),
  );
  const isolated = await page.evaluate(() => crossOriginIsolated);
  expect(isolated).toBe(true);
  const result = await predictInPage(page, true);
  expect(result.runtime).toBe('worker');
  expectSameAsNode(result);
  expect(violations).toEqual([]);
  expect(problems).toEqual([]);
});

test('the app build emits the worker and the wasm as files (no blob: worker, no inlined wasm)', () => {
  for (const dist of ['demo/dist/assets', 'test/e2e/harness/dist/assets']) {
    const files = readdirSync(resolve(import.meta.dirname, '../..', dist));
    expect(
      files.filter((f) => /^worker-.*\.js$/.test(f)),
      dist,
    ).toHaveLength(1);
    expect(
      files.filter((f) => /^ort-wasm-simd-threaded-.*\.wasm$/.test(f)),
      dist,
    ).toHaveLength(1);
  }
});
