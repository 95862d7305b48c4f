import type { Browser, Page } from '@playwright/test';
import { WARM_UP_RUNS } from '../../src/engine/engines/warm-up.js';
import { open, SAMPLE, type Plan } from './browser-plan.js';
import { median, percentile, round } from './stats.js';

/**
 * One-record round trips main → worker → main: featurecast's `predict` on the harness page,
 * and onnxruntime alone (one pre-encoded row by raw postMessage) on the reference page, on
 * alternating fresh cross-origin-isolated pages (5 µs timers instead of 100 µs). A p99 on this
 * shared machine moves with whatever else runs that minute: one page of 2,000 calls gave 4.96 ms
 * where the five around it gave 1.45–1.95. So each side gets `plan.tripPages` pages spread over
 * the same minutes, and reports the median of its pages' p50s and p99s.
 */

export interface RoundTrips {
  p50Ms: number;
  p99Ms: number;
  /** Each page's p99, in run order. */
  p99PerPageMs: number[];
}

type Harness = { featurecast: typeof import('../../src/index.js') };
type Reference = { reference: typeof import('./reference/main.js').reference };

async function featurecastTrips(page: Page, models: string, plan: Plan): Promise<number[]> {
  return page.evaluate(
    async ({ models, plan, sample }) => {
      const { featurecast } = window as unknown as Harness;
      const p = await featurecast.createPredictor({ manifest: `${models}manifest.json`, model: `${models}model.onnx` });
      for (let i = 0; i < plan.warmCalls; i++) await p.predict(sample);
      const times: number[] = [];
      for (let i = 0; i < plan.calls; i++) {
        const t0 = performance.now();
        await p.predict(sample);
        times.push(performance.now() - t0);
      }
      await p.dispose();
      return times;
    },
    { models, plan, sample: SAMPLE },
  );
}

async function ortTrips(page: Page, models: string, plan: Plan, row: number[]): Promise<number[]> {
  return page.evaluate(
    async ({ model, row, plan, warmUpRuns }) => {
      const { reference } = window as unknown as Reference;
      await reference.start(model, row);
      // Warmed up as the engine warms up its worker (src/engine/engines/warm-up.ts), plus the warm calls.
      return reference.roundTrips(row, warmUpRuns + plan.warmCalls, plan.calls);
    },
    { model: `${models}model.onnx`, row, plan, warmUpRuns: WARM_UP_RUNS },
  );
}

function summary(pages: number[][]): RoundTrips {
  return {
    p50Ms: round(median(pages.map((times) => percentile(times, 0.5)))),
    p99Ms: round(median(pages.map((times) => percentile(times, 0.99)))),
    p99PerPageMs: pages.map((times) => round(percentile(times, 0.99))),
  };
}

/** `server` serves `harness`, `reference` and `models` sites; `row` is SAMPLE encoded. */
export async function benchRoundTrips(
  browser: Browser,
  server: string,
  plan: Plan,
  row: number[],
): Promise<{ featurecast: RoundTrips; ort: RoundTrips }> {
  const ours: number[][] = [];
  const ort: number[][] = [];
  const models = `${server}/coi/models/`;
  for (let i = 0; i < plan.tripPages; i++) {
    // Alternate which side goes first, so neither always meets the machine right after the other.
    const sides = [
      async (page: Page) => {
        await open(page, `${server}/coi/harness/`, 'harnessReady');
        ours.push(await featurecastTrips(page, models, plan));
      },
      async (page: Page) => {
        await open(page, `${server}/coi/reference/`, 'referenceReady');
        ort.push(await ortTrips(page, models, plan, row));
      },
    ];
    for (const side of i % 2 ? sides.reverse() : sides) {
      const context = await browser.newContext();
      try {
        await side(await context.newPage());
      } finally {
        await context.close();
      }
    }
  }
  return { featurecast: summary(ours), ort: summary(ort) };
}
