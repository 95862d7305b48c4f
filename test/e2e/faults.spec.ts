import { expect, test, type CDPSession, type Page, type Worker } from '@playwright/test';
import { createPredictor } from 'featurecast';
import config from '../../playwright.config.js';
import { siteUrl, watchProblems, type Flag } from './helpers.js';
import { CSP } from './server.js';

/**
 * Issue 6's browser-side fault proofs, on the harness page and the tiny fixture bundle, with the
 * real module worker: a worker that dies (closes itself, throws at top level, runs out of
 * memory) while calls are pending; a worker that dies while idle or fails to start; dispose()
 * during calls; per-call timeouts and AbortSignal; 10,000 concurrent predicts; 200,000
 * sequential predictions without heap or wasm-memory growth; and a strict CSP with no
 * eval / new Function / blob: workers.
 *
 * Deaths are staged from the test inside the real worker (worker.evaluate, see armDeath): after
 * its first K messages the worker answers nothing more (its postMessage is swallowed) and dies,
 * so every later call is provably pending when it dies. The moment of death is broadcast from
 * the worker (BroadcastChannel, absolute time performance.timeOrigin + performance.now()) and
 * compared with the moment each call settles on the page. The worker script is otherwise the
 * real one; two tests prepend instrumentation to it (instrumentWorker).
 */

// The whole file runs with GC exposed (page and worker) and unrounded performance.memory,
// keeping the executable and flags of playwright.config.ts.
const launch = config.use!.launchOptions!;
test.use({ launchOptions: { ...launch, args: [...(launch.args ?? []), '--js-flags=--expose-gc', '--enable-precise-memory-info'] } });

/** What the library promises: pending calls reject within 1 s of the worker's death. */
const CRASH_BUDGET_MS = 1000;

type Outcome =
  | { ok: true; at: number }
  | { ok: false; at: number; name: string; code: string | undefined; message: string; isCrash: boolean; isFeaturecastError: boolean; details: Record<string, unknown> };

/** [value, level] of each prediction, in order. */
type Answers = Array<[number, string]>;

declare global {
  interface Window {
    predictor: import('featurecast').Predictor;
    makeRecords(n: number, seed: number): Array<Record<string, unknown>>;
    /** Absolute time in ms (comparable with the worker's). */
    now(): number;
    /** Never rejects: how and when the promise settled. */
    outcome(promise: Promise<unknown>): Promise<Outcome>;
    answers(predictions: Array<Record<string, unknown>>): Answers;
    violations: string[];
    workerUrls: string[];
    gc?: () => void;
  }
}

/** Deterministic fixture-shaped records (valid for the tiny bundle); also runs in the page. */
function makeRecords(n: number, seed: number): Array<Record<string, unknown>> {
  let a = seed >>> 0;
  const next = () => (a = (a * 1664525 + 1013904223) >>> 0) / 4294967296;
  const weather = ['clear', 'mist', 'rain'];
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const day = new Date(Date.UTC(2011, 0, 1 + ((i * 7 + seed) % 730)));
    out.push({
      date: day.toISOString().slice(0, 10),
      temperature: Math.round((next() * 40 - 5) * 10) / 10,
      humidity: Math.round(next() * 100),
      weather: weather[Math.floor(next() * 3)],
    });
  }
  return out;
}

const PAGE_HELPERS = `
window.makeRecords = ${makeRecords.toString()};
window.now = () => performance.timeOrigin + performance.now();
window.outcome = (promise) => promise.then(
  () => ({ ok: true, at: window.now() }),
  (e) => ({
    ok: false, at: window.now(), name: e?.name, code: e?.code, message: String(e?.message ?? e),
    isCrash: e instanceof window.featurecast.WorkerCrashedError,
    isFeaturecastError: e instanceof window.featurecast.FeaturecastError,
    details: JSON.parse(JSON.stringify(e?.details ?? {})),
  }),
);
window.answers = (predictions) => predictions.map((p) => [p.value, p.level]);
`;

const fixture = (flags: readonly Flag[] = []) => ({
  manifest: siteUrl('fixtures', flags, 'manifest.json'),
  model: siteUrl('fixtures', flags, 'model.onnx'),
});

/** The featurecast prediction workers of a page (onnxruntime runs single-threaded: no pthread workers). */
function predictionWorkers(page: Page): Worker[] {
  return page.workers().filter((w) => /\/assets\/worker-[\w-]+\.js$/.test(w.url()));
}

async function openHarness(page: Page, flags: readonly Flag[] = []): Promise<string[]> {
  const problems = watchProblems(page);
  await page.addInitScript({ content: PAGE_HELPERS });
  await page.goto(siteUrl('harness', flags));
  await page.waitForFunction(() => window.harnessReady === true);
  return problems;
}

/** Creates `window.predictor` (a worker predictor on the fixture) and returns its answers for the reference records. */
async function startPredictor(page: Page): Promise<{ batch: Answers; single: Answers }> {
  await page.evaluate(async (source) => {
    window.predictor = await window.featurecast.createPredictor(source, { cache: false });
  }, fixture());
  expect(await page.evaluate(() => window.predictor.runtime)).toBe('worker');
  return referenceAnswers(page);
}

/** A single predict first (the "next call" after a fault), then a batch, on the same 40 records. */
async function referenceAnswers(page: Page): Promise<{ batch: Answers; single: Answers }> {
  return page.evaluate(async () => {
    const records = window.makeRecords(40, 99);
    const single: Answers = [];
    for (const r of records) single.push(...window.answers([await window.predictor.predict(r)]));
    const batch = window.answers(await window.predictor.predictBatch(records));
    return { batch, single };
  });
}

type Death = 'close' | 'throw' | 'oom';

/**
 * Arms the worker: it answers its next `answered` messages as usual; from the one after on it
 * answers nothing more (its postMessage is swallowed) and dies, in the given way, after
 * broadcasting the moment of death:
 * - close: `self.close()` (the worker ends silently: no event reaches the page);
 * - throw: an uncaught `Error('boom')` at top level (a timer task);
 * - oom:   allocates 1 GiB buffers until allocation fails, and lets the RangeError go uncaught
 *          (what a worker sees when memory for typed arrays / wasm runs out). Exhausting the
 *          V8 heap instead is no test: Chromium then kills the whole renderer, page included
 *          (after ~13 s with --max-old-space-size=128, over 80 s with the default limit).
 * Our listener runs after comlink's, so the dying message's own answer may still go out.
 */
async function armDeath(worker: Worker, how: Death, answered: number): Promise<void> {
  await worker.evaluate(
    ({ how, answered }) => {
      let seen = 0;
      const now = () => performance.timeOrigin + performance.now();
      const announce = (at: number, note = '') => new BroadcastChannel('featurecast-faults').postMessage({ at, note });
      const onMessage = () => {
        if (seen++ < answered) return;
        self.removeEventListener('message', onMessage);
        (self as unknown as { postMessage: () => void }).postMessage = () => {};
        if (how === 'close') {
          announce(now());
          self.close();
        } else if (how === 'throw') {
          setTimeout(() => {
            announce(now());
            throw new Error('boom');
          });
        } else {
          setTimeout(() => {
            // Unresponsive from the first allocation on: that counts as the moment of death.
            const start = now();
            let hog: Uint8Array[] = [];
            try {
              for (;;) hog.push(new Uint8Array(2 ** 30));
            } catch (error) {
              announce(start, `${hog.length} GiB allocated in ${(now() - start).toFixed(0)} ms before ${String(error)}`);
              hog = [];
              throw error;
            }
          });
        }
      };
      self.addEventListener('message', onMessage);
    },
    { how, answered },
  );
}

/** Starts a 100,000-record predictBatch (many worker messages, ~1 s of work) and 30 predicts, and reports how each settled and when the worker died. */
async function callsAcrossDeath(page: Page) {
  return page.evaluate(async () => {
    let deathAt: number | undefined;
    let deathNote = '';
    const channel = new BroadcastChannel('featurecast-faults');
    channel.onmessage = (e) => ({ at: deathAt, note: deathNote } = e.data as { at: number; note: string });
    const p = window.predictor;
    const calls = [p.predictBatch(window.makeRecords(100_000, 5)), ...window.makeRecords(30, 6).map((r) => p.predict(r))];
    const outcomes = await Promise.all(calls.map(window.outcome));
    for (let waited = 0; deathAt === undefined && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    channel.close();
    return { deathAt, deathNote, outcomes };
  });
}

function expectCrashed(result: Awaited<ReturnType<typeof callsAcrossDeath>>, answered: number, label: string): number {
  const { deathAt, deathNote, outcomes } = result;
  expect(deathAt, 'the worker announced its death').toBeDefined();
  const [batch, ...singles] = outcomes;
  expect(batch, 'the 100k batch was in flight').toMatchObject({ ok: false, name: 'WorkerCrashedError', code: 'ERR_WORKER_CRASHED', isCrash: true, isFeaturecastError: true });
  const rejected = outcomes.filter((o) => !o.ok);
  // At most the first `answered` messages (the batch's first slice, the first predicts) and the dying one were answered.
  expect(singles.filter((s) => s.ok).length).toBeLessThanOrEqual(answered);
  expect(rejected.length).toBeGreaterThanOrEqual(outcomes.length - answered);
  for (const o of rejected) expect(o).toMatchObject({ name: 'WorkerCrashedError', code: 'ERR_WORKER_CRASHED', isCrash: true });
  const latencies = rejected.map((o) => o.at - deathAt!);
  const worst = Math.max(...latencies);
  const said = rejected[0] && !rejected[0].ok ? rejected[0].message : '';
  console.log(`[faults] ${label}: ${rejected.length}/${outcomes.length} pending calls rejected ${Math.min(...latencies).toFixed(0)}–${worst.toFixed(0)} ms after the worker died ("${said}")${deathNote ? `; ${deathNote}` : ''}`);
  expect(Math.min(...latencies)).toBeGreaterThanOrEqual(0);
  expect(worst, `rejected within ${CRASH_BUDGET_MS} ms of the death`).toBeLessThanOrEqual(CRASH_BUDGET_MS);
  return worst;
}

const DEATHS: Array<{ how: Death; label: string; message: RegExp }> = [
  { how: 'close', label: 'the worker closes itself (self.close())', message: /stopped responding/ },
  { how: 'throw', label: 'the worker throws at top level', message: /boom/ },
  // While it allocates, the worker is silent too: the watchdog may call it before its error arrives.
  { how: 'oom', label: 'the worker runs out of memory (buffer allocation fails, uncaught)', message: /allocation failed|stopped responding/i },
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

test('a worker that fails to start: createPredictor rejects with WorkerCrashedError, no worker is left, a later createPredictor works', async ({ page }) => {
  const problems = await openHarness(page);
  await page.route('**/assets/worker-*.js', (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: "throw new Error('broken worker script');" }),
  );
  const failed = await page.evaluate(async (source) => window.outcome(window.featurecast.createPredictor(source, { cache: false })), fixture());
  expect(failed).toMatchObject({ ok: false, name: 'WorkerCrashedError', code: 'ERR_WORKER_CRASHED', isCrash: true });
  await expect.poll(() => predictionWorkers(page).length, { timeout: 5000 }).toBe(0);
  await page.unroute('**/assets/worker-*.js');
  await startPredictor(page);
  expect(problems.filter((p) => !/broken worker script/.test(p))).toEqual([]);
});

test('dispose() while calls are in flight: they reject with DisposedError, the worker goes, later calls reject too', async ({ page }) => {
  const problems = await openHarness(page);
  await startPredictor(page);
  const [worker] = predictionWorkers(page);
  const result = await page.evaluate(async () => {
    const p = window.predictor;
    const calls = [p.predictBatch(window.makeRecords(100_000, 5)), ...window.makeRecords(30, 6).map((r) => p.predict(r))].map(window.outcome);
    await new Promise((r) => setTimeout(r, 30));
    const disposeAt = window.now();
    const disposing = p.dispose();
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
    return { disposeAt, disposeMs, outcomes, later };
  });
  const [batch] = result.outcomes;
  expect(batch).toMatchObject({ ok: false, name: 'DisposedError', code: 'ERR_DISPOSED', isFeaturecastError: true });
  const rejected = result.outcomes.filter((o) => !o.ok);
  for (const o of rejected) {
    expect(o).toMatchObject({ name: 'DisposedError', code: 'ERR_DISPOSED' });
    expect(o.at - result.disposeAt).toBeLessThan(50);
  }
  for (const o of result.outcomes.filter((o) => o.ok)) expect(o.at).toBeLessThanOrEqual(result.disposeAt);
  console.log(`[faults] dispose: ${rejected.length}/${result.outcomes.length} in-flight calls rejected; dispose() resolved in ${result.disposeMs.toFixed(0)} ms`);
  for (const o of result.later) expect(o).toMatchObject({ ok: false, name: 'DisposedError', code: 'ERR_DISPOSED' });
  await expect.poll(() => page.workers().includes(worker!), { timeout: 5000 }).toBe(false);
  expect(predictionWorkers(page)).toEqual([]);
  expect(problems).toEqual([]);
});

test('dispose() while a crashed worker is being replaced: the call rejects with DisposedError and no worker is left', async ({ page }) => {
  await openHarness(page);
  await startPredictor(page);
  const [first] = predictionWorkers(page);
  await armDeath(first!, 'throw', 0);
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
  expect(result.timedOut).toMatchObject({ ok: false, name: 'TimeoutError', code: 'ERR_TIMEOUT', isFeaturecastError: true, details: { timeoutMs: 50 } });
  expect(result.ms).toBeGreaterThanOrEqual(49);
  expect(result.ms).toBeLessThan(500);
  expect(result.roomy).toMatchObject({ ok: true });
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
  expect(byDefault.big).toMatchObject({ ok: false, code: 'ERR_TIMEOUT', details: { timeoutMs: 40 } });
  expect(byDefault.own).toMatchObject({ ok: true });
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
    const pending = window.outcome(p.predictBatch(window.makeRecords(100_000, 5), { signal: during.signal }));
    await new Promise((r) => setTimeout(r, 30));
    const abortAt = window.now();
    during.abort();
    const aborted = await pending;
    return { already, alreadyBatch, aborted, ms: aborted.at - abortAt };
  });
  expect(result.already).toMatchObject({ ok: false, name: 'AbortedError', code: 'ERR_ABORTED', isFeaturecastError: true, details: { reason: 'user left' } });
  expect(result.alreadyBatch).toMatchObject({ ok: false, code: 'ERR_ABORTED' });
  expect(result.aborted).toMatchObject({ ok: false, name: 'AbortedError', code: 'ERR_ABORTED' });
  expect(result.ms).toBeLessThan(50);
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
  console.log(`[faults] 10,000 concurrent predicts: ${result.ms.toFixed(0)} ms, ${result.failures} failed, ${result.mismatches} mismatched`);
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
  console.log(`[faults] 40 concurrent 8,192-record batches: ${result.ms.toFixed(0)} ms, ${failed.length} failed${failed[0] && !failed[0].ok ? ` (${failed[0].code}: ${failed[0].message})` : ''}`);
  expect(failed).toEqual([]);
  expect(problems).toEqual([]);
});

/**
 * Serves the worker script with `prelude` in front (same URL and headers), so instrumentation
 * runs in the worker before featurecast and onnxruntime do. The worker bundle has no imports.
 */
async function instrumentWorker(page: Page, prelude: string): Promise<void> {
  await page.route('**/assets/worker-*.js', async (route) => {
    const response = await route.fetch();
    const body = await response.text();
    expect(body.trimStart().startsWith('import')).toBe(false);
    await route.fulfill({ response, body: `${prelude}\n${body}` });
  });
}

/** Keeps every WebAssembly.Memory the worker creates in `globalThis.wasmMemories` (onnxruntime's heap is one). */
const CAPTURE_WASM_MEMORY = `
globalThis.wasmMemories = [];
WebAssembly.Memory = new Proxy(WebAssembly.Memory, {
  construct(target, args, newTarget) {
    const memory = Reflect.construct(target, args, newTarget);
    globalThis.wasmMemories.push(memory);
    return memory;
  },
});`;

/** A raw CDP session on the page's prediction worker (Runtime.getHeapUsage, HeapProfiler.collectGarbage). */
async function workerCdp(page: Page): Promise<{ send: (method: string, params?: object) => Promise<unknown>; cdp: CDPSession }> {
  const cdp = await page.context().newCDPSession(page);
  const { targetInfos } = await cdp.send('Target.getTargets');
  const targets = targetInfos.filter((t) => t.type === 'worker' && /\/assets\/worker-[\w-]+\.js$/.test(t.url));
  expect(targets).toHaveLength(1);
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: targets[0]!.targetId, flatten: false });
  let id = 0;
  const waiting = new Map<number, (reply: { result?: unknown; error?: { message: string } }) => void>();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const reply = JSON.parse(event.message) as { id?: number; result?: unknown; error?: { message: string } };
    if (reply.id !== undefined) waiting.get(reply.id)?.(reply);
  });
  const send = async (method: string, params: object = {}) => {
    const reply = await new Promise<{ result?: unknown; error?: { message: string } }>((resolve) => {
      waiting.set(++id, resolve);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    });
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result;
  };
  return { send, cdp };
}

const MB = 1024 * 1024;

test('200,000 sequential predictions: main-thread JS heap grows ≤ 5 MB, the worker heap and wasm memory stop growing', async ({ page }) => {
  test.setTimeout(90_000);
  const problems = await openHarness(page);
  await instrumentWorker(page, CAPTURE_WASM_MEMORY);
  await startPredictor(page);
  const [worker] = predictionWorkers(page);
  const { send } = await workerCdp(page);

  const wasmBytes = () => worker!.evaluate(() => (globalThis as unknown as { wasmMemories: WebAssembly.Memory[] }).wasmMemories.reduce((sum, m) => sum + m.buffer.byteLength, 0));
  const mainHeap = () =>
    page.evaluate(async () => {
      for (let i = 0; i < 3; i++) {
        window.gc!();
        await new Promise((r) => setTimeout(r, 0));
      }
      return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
    });
  const workerHeap = async () => {
    await worker!.evaluate(() => (self as unknown as { gc(): void }).gc());
    await send('HeapProfiler.collectGarbage');
    return ((await send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
  };
  /** `batches` sequential predictBatch calls of `size` records, then `singles` sequential predicts; returns how many and the time per single predict. */
  const run = (batches: number, size: number, singles: number, seed: number) =>
    page.evaluate(
      async ({ batches, size, singles, seed }) => {
        const p = window.predictor;
        let count = 0;
        let sum = 0;
        for (let b = 0; b < batches; b++) {
          for (const x of await p.predictBatch(window.makeRecords(size, seed + b))) sum += x.value as number;
          count += size;
        }
        const records = window.makeRecords(singles, seed);
        const t = performance.now();
        for (const r of records) {
          sum += (await p.predict(r)).value as number;
          count++;
        }
        return { count, finite: Number.isFinite(sum), msPerPredict: (performance.now() - t) / singles };
      },
      { batches, size, singles, seed },
    );

  // 200,000 single predicts one after another would take ~1–3 min here, so: 20 rounds (2 warm-up,
  // 18 measured), each 5 sequential predictBatch(1,000) calls then 5,000 sequential predict calls:
  // 100,000 records by batch + 100,000 single calls = 200,000 predictions, all sequential.
  let predictions = 0;
  const rounds = 20;
  const warmUp = 2;
  const wasm: number[] = [];
  const perPredict: number[] = [];
  let heap0 = 0;
  let worker0 = 0;
  const t0 = Date.now();
  for (let round = 0; round < rounds; round++) {
    const { count, finite, msPerPredict } = await run(5, 1000, 5000, 1000 * round);
    expect(finite).toBe(true);
    perPredict.push(msPerPredict);
    predictions += count;
    wasm.push(await wasmBytes());
    if (round === warmUp - 1) {
      heap0 = await mainHeap();
      worker0 = await workerHeap();
    }
  }
  const heap1 = await mainHeap();
  const worker1 = await workerHeap();
  const seconds = (Date.now() - t0) / 1000;
  console.log(
    `[faults] ${predictions} sequential predictions in ${seconds.toFixed(1)} s (single predict: median ${perPredict.sort((a, b) => a - b)[perPredict.length >> 1]!.toFixed(3)} ms); main JS heap ${(heap0 / MB).toFixed(2)} → ${(heap1 / MB).toFixed(2)} MB ` +
      `(${((heap1 - heap0) / MB).toFixed(3)} MB); worker JS heap ${(worker0 / MB).toFixed(2)} → ${(worker1 / MB).toFixed(2)} MB; ` +
      `wasm memory per round (MB): ${wasm.map((b) => (b / MB).toFixed(0)).join(' ')}`,
  );
  expect(predictions).toBe(200_000);
  expect(heap1 - heap0).toBeLessThanOrEqual(5 * MB);
  expect(worker1 - worker0).toBeLessThanOrEqual(5 * MB);
  expect(wasm[0]).toBeGreaterThan(0);
  // No growth after the warm-up: every later sample equals the one at the end of the warm-up.
  expect(wasm.slice(warmUp - 1)).toEqual(Array(rounds - warmUp + 1).fill(wasm[warmUp - 1]));
  expect(problems).toEqual([]);
});

test('strict CSP on the harness: predictions work with no violation, no eval / new Function, no blob: worker', async ({ page }) => {
  const records = makeRecords(500, 21);
  const node = await createPredictor(fixture(), { worker: false });
  const expected = (await node.predictBatch(records)).map((p) => [p.value, p.level]);
  await node.dispose();

  // Listeners are in place before any page or worker script runs.
  await page.addInitScript(() => {
    window.violations = [];
    window.workerUrls = [];
    const record = (where: string, e: SecurityPolicyViolationEvent) => window.violations.push(`${where}: ${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
    document.addEventListener('securitypolicyviolation', (e) => record('page', e), true);
    new BroadcastChannel('featurecast-csp').onmessage = (e) => window.violations.push(`worker: ${e.data as string}`);
    const Original = window.Worker;
    window.Worker = class extends Original {
      constructor(url: string | URL, options?: WorkerOptions) {
        window.workerUrls.push(String(url));
        super(url, options);
      }
    };
  });
  await instrumentWorker(
    page,
    `self.addEventListener('securitypolicyviolation', (e) => new BroadcastChannel('featurecast-csp').postMessage(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample), true);`,
  );
  const documentResponse = page.waitForResponse(siteUrl('harness', ['csp']));
  const problems = await openHarness(page, ['csp']);
  expect(await (await documentResponse).headerValue('content-security-policy')).toBe(CSP);

  const got = await page.evaluate(
    async ({ source, records }) => {
      const p = await window.featurecast.createPredictor(source, { cache: false });
      const batch = window.answers(await p.predictBatch(records));
      const single = window.answers([await p.predict(records[0]!)]);
      return { runtime: p.runtime, batch, single };
    },
    { source: fixture(), records },
  );
  expect(got.runtime).toBe('worker');
  // Node's and Chromium's Math.exp may differ in the last bit.
  const close = (a: Answers, b: Answers) => a.length === b.length && a.every(([v, l], i) => l === b[i]![1] && Math.abs(v - b[i]![0]) <= 1e-12 * Math.abs(v));
  expect(close(got.batch, expected as Answers)).toBe(true);
  expect(close(got.single, expected.slice(0, 1) as Answers)).toBe(true);
  const workers = predictionWorkers(page);
  expect(workers).toHaveLength(1);
  const origin = new URL(page.url()).origin;
  const scripts = [...(await page.evaluate(() => window.workerUrls)), ...page.workers().map((w) => w.url())];
  expect(scripts.length).toBeGreaterThanOrEqual(2);
  for (const url of scripts) {
    // A blob: URL's origin is its creator's, so the scheme is checked too.
    expect(new URL(url).protocol, `worker script ${url}`).toBe('http:');
    expect(new URL(url).origin, `worker script ${url}`).toBe(origin);
  }
  await page.waitForTimeout(100);
  expect(await page.evaluate(() => window.violations)).toEqual([]);
  expect(problems).toEqual([]);

  // Controls: the policy is in force on the page and in the worker, and the listeners see it. The
  // eval runs in a timer task: code evaluated by DevTools itself (page.evaluate) is exempt.
  const tryEval = () =>
    new Promise<string>((resolve) =>
      setTimeout(() => {
        try {
          resolve(String(new Function('return 1 + 1')()));
        } catch (e) {
          resolve((e as Error).name);
        }
      }),
    );
  expect(await page.evaluate(tryEval)).toBe('EvalError');
  expect(await workers[0]!.evaluate(tryEval)).toBe('EvalError');
  await expect.poll(() => page.evaluate(() => window.violations.map((v) => v.split(' ').slice(0, 2).join(' ')))).toEqual(['page: script-src', 'worker: script-src']);
});
