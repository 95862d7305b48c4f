import { expect, type Page, type Worker } from '@playwright/test';
import config from '../../playwright.config.js';
import { siteUrl, watchProblems, type Flag } from './helpers.js';

/**
 * Shared setup for the browser-side fault proofs of issue 6 (faults-crash, faults-calls and
 * faults-memory .spec.ts), on the harness page and the tiny fixture bundle, with the real module
 * worker.
 *
 * Deaths are staged from the test inside the real worker (worker.evaluate, see armDeath): after
 * its first K messages the worker answers nothing more (its postMessage is swallowed) and dies,
 * so every later call is provably pending when it dies. The moment of death is broadcast from
 * the worker (BroadcastChannel, absolute time performance.timeOrigin + performance.now()) and
 * compared with the moment each call settles on the page. The worker script is otherwise the
 * real one; two tests prepend instrumentation to it (instrumentWorker).
 */

/**
 * Launch options for every fault spec (pass to `test.use({ launchOptions })`): GC exposed (page
 * and worker) and unrounded performance.memory, keeping the executable and flags of
 * playwright.config.ts.
 */
const launch = config.use!.launchOptions!;
export const faultLaunchOptions = { ...launch, args: [...(launch.args ?? []), '--js-flags=--expose-gc', '--enable-precise-memory-info'] };

export type Outcome =
  | { ok: true; at: number }
  | {
      ok: false;
      at: number;
      name: string;
      code: string | undefined;
      message: string;
      isCrash: boolean;
      isFeaturecastError: boolean;
      details: Record<string, unknown>;
    };

/** [value, level] of each prediction, in order. */
export type Answers = Array<[number, string]>;

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
export function makeRecords(n: number, seed: number): Array<Record<string, unknown>> {
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

export const PAGE_HELPERS = `
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

export const fixture = (flags: readonly Flag[] = []) => ({
  manifest: siteUrl('fixtures', flags, 'manifest.json'),
  model: siteUrl('fixtures', flags, 'model.onnx'),
});

/** The featurecast prediction workers of a page (onnxruntime runs single-threaded: no pthread workers). */
export function predictionWorkers(page: Page): Worker[] {
  return page.workers().filter((w) => /\/assets\/worker-[\w-]+\.js$/.test(w.url()));
}

export async function openHarness(page: Page, flags: readonly Flag[] = []): Promise<string[]> {
  const problems = watchProblems(page);
  await page.addInitScript({ content: PAGE_HELPERS });
  await page.goto(siteUrl('harness', flags));
  await page.waitForFunction(() => window.harnessReady === true);
  return problems;
}

/** Creates `window.predictor` (a worker predictor on the fixture) and returns its answers for the reference records. */
export async function startPredictor(page: Page): Promise<{ batch: Answers; single: Answers }> {
  await page.evaluate(async (source) => {
    window.predictor = await window.featurecast.createPredictor(source, { cache: false });
  }, fixture());
  expect(await page.evaluate(() => window.predictor.runtime)).toBe('worker');
  return referenceAnswers(page);
}

/** A single predict first (the "next call" after a fault), then a batch, on the same 40 records. */
export async function referenceAnswers(page: Page): Promise<{ batch: Answers; single: Answers }> {
  return page.evaluate(async () => {
    const records = window.makeRecords(40, 99);
    const single: Answers = [];
    for (const r of records) single.push(...window.answers([await window.predictor.predict(r)]));
    const batch = window.answers(await window.predictor.predictBatch(records));
    return { batch, single };
  });
}

export type Death = 'close' | 'throw' | 'oom';

/**
 * Arms the worker: it answers its next `answered` messages as usual; from the one after on it
 * answers nothing more (its postMessage is swallowed) and dies, in the given way, after
 * broadcasting the moment of death:
 * - close: `self.close()` (the worker ends silently: no event reaches the page);
 * - throw: an uncaught `Error('boom')` at top level (a timer task);
 * - oom:   allocates 1 GiB buffers until allocation fails, and lets the RangeError go uncaught
 *          (what a worker sees when memory for typed arrays / wasm runs out; its death is dated
 *          at the start of the allocation, since from then on it answers nothing). Exhausting the
 *          V8 heap instead is no test: Chromium then kills the whole renderer, page included
 *          (after ~13 s with --max-old-space-size=128, over 80 s with the default limit).
 * Our listener runs after comlink's, so the dying message's own answer may still go out.
 */
export async function armDeath(worker: Worker, how: Death, answered: number): Promise<void> {
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
          // Announced here, not from the throwing task: the page terminates a worker as soon as its
          // error arrives, and a message sent in the worker's last task can be lost with it.
          announce(now());
          setTimeout(() => {
            throw new Error('boom');
          });
        } else {
          setTimeout(() => {
            // To its callers the worker is dead from the start of its hopeless allocation: it
            // answers nothing more. How long until the allocation throws depends on the
            // machine's load (0.3–1.2 s seen); past the watchdog's silence limit the watchdog
            // is what rejects the calls. So the death is dated at the start, the throw reported.
            const start = now();
            let hog: Uint8Array[] = [];
            try {
              for (;;) hog.push(new Uint8Array(2 ** 30));
            } catch (error) {
              announce(start, `${hog.length} GiB allocated in ${(now() - start).toFixed(0)} ms before ${String(error)}`);
              hog = [];
              // Rethrown from a later task, so the announcement leaves before the page terminates the worker.
              setTimeout(() => {
                throw error;
              });
            }
          });
        }
      };
      self.addEventListener('message', onMessage);
    },
    { how, answered },
  );
}

/**
 * Serves the worker script with `prelude` in front (same URL and headers), so instrumentation
 * runs in the worker before featurecast and onnxruntime do. The worker bundle has no imports.
 */
export async function instrumentWorker(page: Page, prelude: string): Promise<void> {
  await page.route('**/assets/worker-*.js', async (route) => {
    const response = await route.fetch();
    const body = await response.text();
    expect(body.trimStart().startsWith('import')).toBe(false);
    await route.fulfill({ response, body: `${prelude}\n${body}` });
  });
}

/** Keeps every WebAssembly.Memory the worker creates in `globalThis.wasmMemories` (onnxruntime's heap is one). */
export const CAPTURE_WASM_MEMORY = `
globalThis.wasmMemories = [];
WebAssembly.Memory = new Proxy(WebAssembly.Memory, {
  construct(target, args, newTarget) {
    const memory = Reflect.construct(target, args, newTarget);
    globalThis.wasmMemories.push(memory);
    return memory;
  },
});
// A module that defines its own memory (the tree kernel's) exports it from the instance instead.
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (...args) {
  const result = await instantiate.apply(this, args);
  const instance = result instanceof WebAssembly.Instance ? result : result.instance;
  for (const value of Object.values(instance.exports)) if (value instanceof WebAssembly.Memory) globalThis.wasmMemories.push(value);
  return result;
};`;
