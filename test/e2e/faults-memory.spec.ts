import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { createPredictor } from 'featurecast';
import {
  CAPTURE_WASM_MEMORY,
  faultLaunchOptions,
  fixture,
  instrumentWorker,
  makeRecords,
  openHarness,
  predictionWorkers,
  startPredictor,
  type Answers,
} from './fault-tools.js';
import { siteUrl } from './helpers.js';
import { CSP } from './server.js';

/**
 * Issue 6's browser-side fault proofs, memory and policy: 200,000 sequential predictions without
 * heap or wasm-memory growth; a strict CSP with no eval / new Function / blob: workers. Setup
 * and the worker instrumentation are in fault-tools.ts.
 */

test.use({ launchOptions: faultLaunchOptions });

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

  const wasmBytes = () =>
    worker!.evaluate(() =>
      (globalThis as unknown as { wasmMemories: WebAssembly.Memory[] }).wasmMemories.reduce((sum, m) => sum + m.buffer.byteLength, 0),
    );
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
    const record = (where: string, e: SecurityPolicyViolationEvent) =>
      window.violations.push(`${where}: ${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
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
  const close = (a: Answers, b: Answers) =>
    a.length === b.length && a.every(([v, l], i) => l === b[i]![1] && Math.abs(v - b[i]![0]) <= 1e-12 * Math.abs(v));
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
  await expect
    .poll(() => page.evaluate(() => window.violations.map((v) => v.split(' ').slice(0, 2).join(' '))))
    .toEqual(['page: script-src', 'worker: script-src']);
});
