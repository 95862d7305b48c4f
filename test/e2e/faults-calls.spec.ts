import { expect, test } from '@playwright/test';
import { armDeath, faultLaunchOptions, fixture, openHarness, predictionWorkers, referenceAnswers, startPredictor } from './fault-tools.js';

/**
 * Issue 6's browser-side fault proofs, calls: dispose() during calls; per-call timeouts and
 * AbortSignal, and that a batch given up on stops; 10,000 concurrent predicts; a busy worker
 * that is not mistaken for a dead one.
 * Setup is in fault-tools.ts.
 */

test.use({ launchOptions: faultLaunchOptions });

test('dispose() while calls are in flight: they reject with DisposedError, the worker goes, later calls reject too', async ({ page }) => {
  const problems = await openHarness(page);
  await startPredictor(page);
  const [worker] = predictionWorkers(page);
  const result = await page.evaluate(async () => {
    const p = window.predictor;
    let settled = 0;
    const calls = [p.predictBatch(window.makeRecords(100_000, 5)), ...window.makeRecords(30, 6).map((r) => p.predict(r))].map((call) =>
      window.outcome(call).finally(() => settled++),
    );
    await new Promise((r) => setTimeout(r, 30));
    const disposeAt = window.now();
    const disposing = p.dispose();
    // A few microtask hops and no task: no rejection may wait for the worker or a timer.
    for (let hop = 0; hop < 10; hop++) await null;
    const settledInTask = settled;
    const outcomes = await Promise.all(calls);
    await disposing;
    const disposeMs = window.now() - disposeAt;
    await p.dispose(); // idempotent
    const later = await Promise.all([
      window.outcome(p.predict(window.makeRecords(1, 1)[0])),
      window.outcome(p.predictBatch(window.makeRecords(3, 1))),
      window.outcome(p.predictBatch([])),
      window.outcome(p.monitor()),
      window.outcome(p.calibrate(null)),
    ]);
    return { disposeAt, disposeMs, settledInTask, outcomes, later };
  });
  const [batch] = result.outcomes;
  expect(batch).toMatchObject({ ok: false, name: 'DisposedError', code: 'ERR_DISPOSED', isFeaturecastError: true });
  const rejected = result.outcomes.filter((o) => !o.ok);
  for (const o of rejected) {
    expect(o).toMatchObject({ name: 'DisposedError', code: 'ERR_DISPOSED' });
  }
  expect(result.settledInTask).toBe(result.outcomes.length);
  for (const o of result.outcomes.filter((o) => o.ok)) expect(o.at).toBeLessThanOrEqual(result.disposeAt);
  console.log(
    `[faults] dispose: ${rejected.length}/${result.outcomes.length} in-flight calls rejected; dispose() resolved in ${result.disposeMs.toFixed(0)} ms`,
  );
  for (const o of result.later) expect(o).toMatchObject({ ok: false, name: 'DisposedError', code: 'ERR_DISPOSED' });
  await expect.poll(() => page.workers().includes(worker!), { timeout: 5000 }).toBe(false);
  expect(predictionWorkers(page)).toEqual([]);
  expect(problems).toEqual([]);
});

test('dispose() while a crashed worker is being replaced: the call rejects with DisposedError and no worker is left', async ({ page }) => {
  await openHarness(page);
  await startPredictor(page);
  const [first] = predictionWorkers(page);
  await armDeath(first!, 'throw', 1);
  // The first slice of the batch is answered; the second finds the worker dead.
  const crashed = await page.evaluate(() => window.outcome(window.predictor.predictBatch(window.makeRecords(20_000, 1))));
  expect(crashed).toMatchObject({ ok: false, code: 'ERR_WORKER_CRASHED' });
  await expect.poll(() => page.workers().includes(first!), { timeout: 5000 }).toBe(false);
  // The next call starts a new worker (loading takes a moment); dispose() comes meanwhile.
  const replacement = page.waitForEvent('worker');
  const next = await page.evaluate(async () => {
    const call = window.outcome(window.predictor.predict(window.makeRecords(1, 1)[0]));
    await window.predictor.dispose();
    return call;
  });
  expect(next).toMatchObject({ ok: false, code: 'ERR_DISPOSED' });
  // Its load finishes after the dispose: the new worker must not survive it.
  const started = await replacement;
  await expect.poll(() => page.workers().includes(started), { timeout: 10_000 }).toBe(false);
  expect(predictionWorkers(page)).toEqual([]);
});

test('per-call timeoutMs rejects with TimeoutError; the default timeout applies; the predictor keeps working', async ({ page }) => {
  const problems = await openHarness(page);
  const reference = await startPredictor(page);
  const result = await page.evaluate(async () => {
    const p = window.predictor;
    const records = window.makeRecords(100_000, 5);
    const t = window.now();
    const timedOut = await window.outcome(p.predictBatch(records, { timeoutMs: 50 }));
    const roomy = await window.outcome(p.predict(window.makeRecords(1, 3)[0], { timeoutMs: 20_000 }));
    return { timedOut, ms: timedOut.at - t, roomy };
  });
  expect(result.timedOut).toMatchObject({
    ok: false,
    name: 'TimeoutError',
    code: 'ERR_TIMEOUT',
    isFeaturecastError: true,
    details: { timeoutMs: 50 },
  });
  expect(result.ms).toBeGreaterThanOrEqual(49);
  expect(result.ms).toBeLessThan(500);
  expect(result.roomy, JSON.stringify(result.roomy)).toMatchObject({ ok: true });
  expect(await referenceAnswers(page)).toEqual(reference);

  // createPredictor's timeoutMs is the default for every call; a call's own option wins.
  const byDefault = await page.evaluate(async (source) => {
    const p = await window.featurecast.createPredictor(source, { cache: false, timeoutMs: 40 });
    try {
      const big = await window.outcome(p.predictBatch(window.makeRecords(100_000, 5)));
      const own = await window.outcome(p.predictBatch(window.makeRecords(20_000, 5), { timeoutMs: 20_000 }));
      return { big, own };
    } finally {
      await p.dispose();
    }
  }, fixture());
  expect(byDefault.big, JSON.stringify(byDefault.big)).toMatchObject({ ok: false, code: 'ERR_TIMEOUT', details: { timeoutMs: 40 } });
  expect(byDefault.own, JSON.stringify(byDefault.own)).toMatchObject({ ok: true });
  expect(problems).toEqual([]);
});

/** Counts the records the page sends to workers in `run` messages (protocol.ts RunRequest), in `window.sentRecords`. */
const COUNT_SENT_RECORDS = `
window.sentRecords = 0;
const post = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (message, ...rest) {
  if (typeof message?.run === 'number') window.sentRecords += message.records.length;
  return post.call(this, message, ...rest);
};`;

declare global {
  interface Window {
    sentRecords: number;
  }
}

test('a batch that times out or is aborted sends no more of its records to the worker', async ({ page }) => {
  await page.addInitScript({ content: COUNT_SENT_RECORDS });
  const problems = await openHarness(page);
  const reference = await startPredictor(page);
  const result = await page.evaluate(async () => {
    const p = window.predictor;
    const records = window.makeRecords(100_000, 5);
    window.sentRecords = 0;
    const timedOut = await window.outcome(p.predictBatch(records, { timeoutMs: 50 }));
    const atTimeout = window.sentRecords;
    await new Promise((r) => setTimeout(r, 1500));
    const afterTimeout = window.sentRecords;
    window.sentRecords = 0;
    const controller = new AbortController();
    setTimeout(() => controller.abort('enough'), 50);
    const aborted = await window.outcome(p.predictBatch(records, { signal: controller.signal }));
    const atAbort = window.sentRecords;
    await new Promise((r) => setTimeout(r, 1500));
    return { timedOut, atTimeout, afterTimeout, aborted, atAbort, afterAbort: window.sentRecords };
  });
  expect(result.timedOut).toMatchObject({ ok: false, code: 'ERR_TIMEOUT' });
  expect(result.aborted).toMatchObject({ ok: false, code: 'ERR_ABORTED', details: { reason: 'enough' } });
  console.log(`[faults] records sent to the worker: ${result.atTimeout} of 100,000 before the timeout, ${result.atAbort} before the abort`);
  expect(result.atTimeout).toBeGreaterThan(0);
  expect(result.atTimeout).toBeLessThan(100_000);
  expect(result.afterTimeout).toBe(result.atTimeout);
  expect(result.atAbort).toBeGreaterThan(0);
  expect(result.atAbort).toBeLessThan(100_000);
  expect(result.afterAbort).toBe(result.atAbort);
  expect(await referenceAnswers(page)).toEqual(reference);
  expect(problems).toEqual([]);
});

test('AbortSignal: an already-aborted signal and an abort during the call reject with AbortedError', async ({ page }) => {
  const problems = await openHarness(page);
  const reference = await startPredictor(page);
  const result = await page.evaluate(async () => {
    const p = window.predictor;
    const pre = new AbortController();
    pre.abort('user left');
    const already = await window.outcome(p.predict(window.makeRecords(1, 3)[0], { signal: pre.signal }));
    const alreadyBatch = await window.outcome(p.predictBatch(window.makeRecords(10, 3), { signal: pre.signal }));
    const during = new AbortController();
    let settled = false;
    const pending = window
      .outcome(p.predictBatch(window.makeRecords(100_000, 5), { signal: during.signal }))
      .finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 30));
    during.abort();
    // A few microtask hops and no task: the rejection cannot have waited for the worker or a timer.
    for (let hop = 0; hop < 10; hop++) await null;
    const settledInTask = settled;
    const aborted = await pending;
    return { already, alreadyBatch, aborted, settledInTask };
  });
  expect(result.already).toMatchObject({
    ok: false,
    name: 'AbortedError',
    code: 'ERR_ABORTED',
    isFeaturecastError: true,
    details: { reason: 'user left' },
  });
  expect(result.alreadyBatch).toMatchObject({ ok: false, code: 'ERR_ABORTED' });
  expect(result.aborted).toMatchObject({ ok: false, name: 'AbortedError', code: 'ERR_ABORTED' });
  expect(result.settledInTask).toBe(true);
  expect(await referenceAnswers(page)).toEqual(reference);
  expect(problems).toEqual([]);
});

test('10,000 concurrent predict calls each resolve to their own answer (checked against predictBatch)', async ({ page }) => {
  test.setTimeout(60_000);
  const problems = await openHarness(page);
  await startPredictor(page);
  const result = await page.evaluate(async () => {
    const p = window.predictor;
    const records = window.makeRecords(10_000, 11);
    const batch = window.answers(await p.predictBatch(records));
    const t = performance.now();
    const settled = await Promise.all(
      records.map((r) =>
        p.predict(r).then(
          (x) => ({ answer: window.answers([x])[0]! }),
          (e: Error & { code?: string }) => ({ error: `${e.name} ${e.code}: ${e.message}` }),
        ),
      ),
    );
    const ms = performance.now() - t;
    const failures = settled.flatMap((s) => ('error' in s ? [s.error] : []));
    const mismatches = settled.filter((s, i) => 'answer' in s && (s.answer[0] !== batch[i]![0] || s.answer[1] !== batch[i]![1])).length;
    const distinct = new Set(batch.map((b) => b[0])).size;
    const neighboursDiffer = batch.filter((b, i) => i > 0 && b[0] !== batch[i - 1]![0]).length;
    return { ms, failures: failures.length, firstFailure: failures[0], mismatches, distinct, neighboursDiffer };
  });
  console.log(
    `[faults] 10,000 concurrent predicts: ${result.ms.toFixed(0)} ms, ${result.failures} failed, ${result.mismatches} mismatched`,
  );
  // The tiny model has ~1,300 distinct outputs; a swapped answer would still show.
  expect(result.distinct).toBeGreaterThan(1000);
  expect(result.neighboursDiffer).toBeGreaterThan(9500);
  expect(result.firstFailure).toBeUndefined();
  expect(result.failures).toBe(0);
  expect(result.mismatches).toBe(0);
  expect(problems).toEqual([]);
});

test('a busy worker is not mistaken for a dead one: 40 concurrent 8,192-record batches all resolve', async ({ page }) => {
  const problems = await openHarness(page);
  await startPredictor(page);
  const result = await page.evaluate(async () => {
    const p = window.predictor;
    const batches = Array.from({ length: 40 }, (_, k) => window.makeRecords(8192, 100 + k));
    const t = performance.now();
    const outcomes = await Promise.all(batches.map((b) => window.outcome(p.predictBatch(b))));
    return { ms: performance.now() - t, outcomes };
  });
  const failed = result.outcomes.filter((o) => !o.ok);
  console.log(
    `[faults] 40 concurrent 8,192-record batches: ${result.ms.toFixed(0)} ms, ${failed.length} failed${failed[0] && !failed[0].ok ? ` (${failed[0].code}: ${failed[0].message})` : ''}`,
  );
  expect(failed).toEqual([]);
  expect(problems).toEqual([]);
});

test('reportActuals and calibrate with 200,000 actuals by record: the worker is not taken for dead, the answers and errors equal inline ones', async ({
  page,
}) => {
  const problems = await openHarness(page);
  await startPredictor(page);
  const [worker] = predictionWorkers(page);
  const result = await page.evaluate(async (source) => {
    const actuals = window.makeRecords(200_000, 7).map((record, i) => ({ record, actual: i % 500 }));
    // Bad actuals in three different messages of the worker backend: one error names them all, and nothing is applied.
    const bad = actuals
      .slice(0, 10_000)
      .map((a, i) =>
        i === 5
          ? { ...a, actual: -1 }
          : i === 4100
            ? { ...a, record: { ...a.record, weather: 'hail' } }
            : i === 9999
              ? { ...a, record: null }
              : a,
      );
    const inline = await window.featurecast.createPredictor(source, { cache: false, worker: false });
    const expected = {
      report: await inline.reportActuals(actuals),
      scale: await inline.calibrate(actuals),
      bad: await inline.reportActuals(bad).catch((e) => ({ code: e.code, issues: e.issues })),
    };
    await inline.dispose();
    const p = window.predictor;
    const t = performance.now();
    const report = await window.outcome(p.reportActuals(actuals));
    const scale = await window.outcome(p.calibrate(actuals));
    const ms = performance.now() - t;
    const before = (await p.monitor()).accuracy;
    const badError = await p.reportActuals(bad).catch((e) => ({ code: e.code, issues: e.issues }));
    const after = (await p.monitor()).accuracy;
    return { expected, report, scale, ms, before, after, badError, levelScale: p.info.levelScale };
  }, fixture());
  console.log(`[faults] reportActuals + calibrate of 200,000 records in the worker: ${result.ms.toFixed(0)} ms`);
  expect(result.report, JSON.stringify(result.report)).toMatchObject({ ok: true });
  expect(result.scale, JSON.stringify(result.scale)).toMatchObject({ ok: true });
  expect(result.before).toEqual(result.expected.report);
  expect(result.levelScale).toBe(result.expected.scale);
  expect(result.expected.bad).toMatchObject({ code: 'ERR_VALIDATION' });
  expect((result.expected.bad as { issues: Array<{ index: number }> }).issues.map((i) => i.index)).toEqual([5, 4100, 9999]);
  expect(result.badError).toEqual(result.expected.bad);
  expect(result.after).toEqual(result.before);
  expect(predictionWorkers(page)).toEqual([worker]);
  expect(problems).toEqual([]);
});
