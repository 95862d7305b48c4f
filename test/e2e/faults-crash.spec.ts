import { expect, test, type Page } from '@playwright/test';
import {
  armDeath,
  faultLaunchOptions,
  fixture,
  openHarness,
  predictionWorkers,
  referenceAnswers,
  startPredictor,
  type Death,
} from './fault-tools.js';

/**
 * Issue 6's browser-side fault proofs, worker deaths: a worker that dies (closes itself, throws
 * at top level, runs out of memory) while calls are pending; a worker that dies while idle or
 * fails to start; a calibration that survives the restart. Setup and the death staging are in
 * fault-tools.ts.
 */

test.use({ launchOptions: faultLaunchOptions });

/** What the library promises: pending calls reject within 1 s of the worker's death. */
const CRASH_BUDGET_MS = 1000;

/**
 * Starts a 100,000-record predictBatch (many worker messages, ~1 s of work) and 30 predicts, and
 * reports how each settled and when the worker died. `blockMs`: the page's main thread is then
 * busy for that long as soon as it hears of the death, so the watchdog's next tick comes late.
 */
async function callsAcrossDeath(page: Page, blockMs = 0) {
  return page.evaluate(async (blockMs) => {
    let deathAt: number | undefined;
    let deathNote = '';
    const channel = new BroadcastChannel('featurecast-faults');
    channel.onmessage = (e) => {
      ({ at: deathAt, note: deathNote } = e.data as { at: number; note: string });
      for (const until = performance.now() + blockMs; performance.now() < until; );
    };
    const p = window.predictor;
    const calls = [p.predictBatch(window.makeRecords(100_000, 5)), ...window.makeRecords(30, 6).map((r) => p.predict(r))];
    const outcomes = await Promise.all(calls.map(window.outcome));
    for (let waited = 0; deathAt === undefined && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    channel.close();
    return { deathAt, deathNote, outcomes };
  }, blockMs);
}

function expectCrashed(result: Awaited<ReturnType<typeof callsAcrossDeath>>, answered: number, label: string): number {
  const { deathAt, deathNote, outcomes } = result;
  expect(deathAt, 'the worker announced its death').toBeDefined();
  const [batch, ...singles] = outcomes;
  expect(batch, 'the 100k batch was in flight').toMatchObject({
    ok: false,
    name: 'WorkerCrashedError',
    code: 'ERR_WORKER_CRASHED',
    isCrash: true,
    isFeaturecastError: true,
  });
  const rejected = outcomes.filter((o) => !o.ok);
  // At most the first `answered` messages (the batch's first slice, the first predicts) and the dying one were answered.
  expect(singles.filter((s) => s.ok).length).toBeLessThanOrEqual(answered);
  expect(rejected.length).toBeGreaterThanOrEqual(outcomes.length - answered);
  for (const o of rejected) expect(o).toMatchObject({ name: 'WorkerCrashedError', code: 'ERR_WORKER_CRASHED', isCrash: true });
  const latencies = rejected.map((o) => o.at - deathAt!);
  const worst = Math.max(...latencies);
  const said = rejected[0] && !rejected[0].ok ? rejected[0].message : '';
  console.log(
    `[faults] ${label}: ${rejected.length}/${outcomes.length} pending calls rejected ${Math.min(...latencies).toFixed(0)}–${worst.toFixed(0)} ms after the worker died ("${said}")${deathNote ? `; ${deathNote}` : ''}`,
  );
  expect(Math.min(...latencies)).toBeGreaterThanOrEqual(0);
  expect(worst, `rejected within ${CRASH_BUDGET_MS} ms of the death`).toBeLessThanOrEqual(CRASH_BUDGET_MS);
  return worst;
}

const DEATHS: Array<{ how: Death; label: string; message: RegExp }> = [
  { how: 'close', label: 'the worker closes itself (self.close())', message: /stopped responding/ },
  { how: 'throw', label: 'the worker throws at top level', message: /boom/ },
  // While it allocates, the worker is silent too: the watchdog may call it before its error arrives.
  {
    how: 'oom',
    label: 'the worker runs out of memory (buffer allocation fails, uncaught)',
    message: /allocation failed|stopped responding/i,
  },
];

test.describe('a worker that dies while calls are pending', () => {
  for (const { how, label, message } of DEATHS) {
    test(`${label}: pending calls reject with WorkerCrashedError within 1 s; the next call answers on a new worker`, async ({ page }) => {
      const problems = await openHarness(page);
      const reference = await startPredictor(page);
      const [first, ...others] = predictionWorkers(page);
      expect(first).toBeDefined();
      expect(others).toEqual([]);

      const answered = 3;
      await armDeath(first!, how, answered);
      const result = await callsAcrossDeath(page);
      expectCrashed(result, answered, how);
      const crash = result.outcomes.find((o) => !o.ok)!;
      expect(crash.ok ? '' : crash.message).toMatch(message);

      // The dead worker goes; the next call starts a new one and answers as before the crash.
      await expect.poll(() => page.workers().includes(first!), { timeout: 5000 }).toBe(false);
      const after = await referenceAnswers(page);
      expect(after).toEqual(reference);
      const now = predictionWorkers(page);
      expect(now).toHaveLength(1);
      expect(now[0]).not.toBe(first);
      expect(problems).toEqual([]);
    });
  }
});

test('the worker closes itself while the page is busy for 400 ms: pending calls still reject within 1 s', async ({ page }) => {
  await openHarness(page);
  await startPredictor(page);
  const [worker] = predictionWorkers(page);
  const answered = 3;
  await armDeath(worker!, 'close', answered);
  expectCrashed(await callsAcrossDeath(page, 400), answered, 'close, page busy 400 ms');
});

test.describe('a worker that dies while idle', () => {
  test('closed itself: the next call answers on a new worker', async ({ page }) => {
    await openHarness(page);
    const reference = await startPredictor(page);
    const [first] = predictionWorkers(page);
    await first!.evaluate(() => self.close());
    const next = await page.evaluate(async () => {
      const t = window.now();
      const o = await window.outcome(window.predictor.predict(window.makeRecords(40, 99)[0]!));
      return { ...o, ms: o.at - t };
    });
    console.log(`[faults] idle close: next call ${next.ok ? 'answered' : `rejected (${next.code})`} after ${next.ms.toFixed(0)} ms`);
    expect(next).toMatchObject({ ok: true });
    expect(await referenceAnswers(page)).toEqual(reference);
  });

  test('threw at top level: the next call answers on a new worker', async ({ page }) => {
    await openHarness(page);
    const reference = await startPredictor(page);
    const [first] = predictionWorkers(page);
    await first!.evaluate(() => {
      setTimeout(() => {
        throw new Error('boom');
      });
    });
    // The page hears of the error (and the library terminates that worker).
    await expect.poll(() => page.workers().includes(first!), { timeout: 5000 }).toBe(false);
    const next = await page.evaluate(() => window.outcome(window.predictor.predict(window.makeRecords(40, 99)[0]!)));
    expect(next).toMatchObject({ ok: true });
    expect(await referenceAnswers(page)).toEqual(reference);
  });
});

test('a worker that fails to start: createPredictor rejects with WorkerCrashedError, no worker is left, a later createPredictor works', async ({
  page,
}) => {
  const problems = await openHarness(page);
  await page.route('**/assets/worker-*.js', (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: "throw new Error('broken worker script');" }),
  );
  const failed = await page.evaluate(
    async (source) => window.outcome(window.featurecast.createPredictor(source, { cache: false })),
    fixture(),
  );
  expect(failed).toMatchObject({ ok: false, name: 'WorkerCrashedError', code: 'ERR_WORKER_CRASHED', isCrash: true });
  await expect.poll(() => predictionWorkers(page).length, { timeout: 5000 }).toBe(0);
  await page.unroute('**/assets/worker-*.js');
  await startPredictor(page);
  expect(problems.filter((p) => !/broken worker script/.test(p))).toEqual([]);
});

test('a calibrated predictor answers the same after its worker crashed (the level scale survives the restart)', async ({ page }) => {
  const problems = await openHarness(page);
  await startPredictor(page);
  const scale = await page.evaluate(async () => {
    const p = window.predictor;
    const records = window.makeRecords(10, 42);
    const predicted = await p.predictBatch(records);
    return p.calibrate(records.map((record, i) => ({ record, actual: 2 * (predicted[i]!.value as number) })));
  });
  expect(scale).toBeCloseTo(2, 6);
  const calibrated = await referenceAnswers(page);
  const [first] = predictionWorkers(page);
  await armDeath(first!, 'throw', 3);
  expectCrashed(await callsAcrossDeath(page), 3, 'throw after calibrate');
  const after = await referenceAnswers(page);
  expect(await page.evaluate(() => window.predictor.info.levelScale)).toBeCloseTo(2, 6);
  expect(after).toEqual(calibrated);
  expect(problems).toEqual([]);
});
