import type { Browser } from '@playwright/test';
import { BATCH_SIZE, open, type Plan } from './browser-plan.js';
import type { ResultColumns } from './reference/main.js';
import { installStallProbe, type StallProbe } from './stall.js';
import { median, round } from './stats.js';

/**
 * The browser figures without featurecast, measured in the same browser and run, on the
 * reference page (test/bench/reference): onnxruntime-web alone in a worker of its own, fed
 * pre-encoded rows by raw postMessage, and the main thread building the objects a 100,000-record
 * `predictBatch` returns, with no worker at all. They bound what featurecast can reach here.
 * (Its round trips are measured beside featurecast's, in round-trips.ts.)
 */

export interface ReferenceFigures {
  /** New worker → first answer of onnxruntime alone, warm HTTP cache. */
  ortColdStartWarmMs: number;
  /** The same in a worker whose onnxruntime is already running: creating the session alone. */
  ortSessionMs: number;
  /** One run of the 100,000 pre-encoded rows, sent and answered by transfer. */
  ortBatch100kRowsPerSec: number;
  /** Building the batch's result objects alone on the main thread, in 4 ms slices. */
  objectsOnlyLongestTaskMs: number;
}

/**
 * Runs the references on the pages the bench serves; `data` (browser-data.ts) is served at
 * `/<flags>/data/`, and `row` is the sample record encoded.
 */
export async function benchReference(
  browser: Browser,
  server: string,
  plan: Plan,
  inputs: { width: number; row: number[] },
): Promise<ReferenceFigures> {
  const page = (flags: string) => `${server}/${flags}/reference/`;
  const model = (flags: string) => `${server}/${flags}/models/model.onnx`;
  const data = (flags: string) => `${server}/${flags}/data/`;
  type Window = { reference: typeof import('./reference/main.js').reference };

  const warm: number[] = [];
  const session: number[] = [];
  for (let r = 0; r < plan.contexts; r++) {
    const context = await browser.newContext();
    const tab = await context.newPage();
    for (let w = 0; w < 3; w++) {
      await open(tab, page('-'), 'referenceReady');
      const ms = await tab.evaluate(
        async ({ model, row }) => {
          const { reference } = window as unknown as Window;
          return [await reference.start(model, row), await reference.reload(model, row)] as const;
        },
        { model: model('-'), row: inputs.row },
      );
      if (w > 0) warm.push(ms[0]);
      session.push(ms[1]);
    }
    await context.close();
  }

  const context = await browser.newContext();
  const tab = await context.newPage();
  await open(tab, page('coi'), 'referenceReady');
  const batch = await tab.evaluate(
    async ({ model, row, reps, width, data }) => {
      const { reference } = window as unknown as Window;
      await reference.start(model, row);
      const batch: number[] = [];
      for (let r = 0; r < reps; r++) batch.push(await reference.batch(`${data}matrix.f32`, width));
      return batch;
    },
    { model: model('coi'), row: inputs.row, reps: plan.batchReps, width: inputs.width, data: data('coi') },
  );
  await context.close();

  // A page of its own, where nothing else allocates: the heap's state decides these stalls.
  const objectsContext = await browser.newContext();
  const objectsTab = await objectsContext.newPage();
  await open(objectsTab, page('coi'), 'referenceReady');
  await installStallProbe(objectsTab);
  const longest = await objectsTab.evaluate(
    async ({ data, reps }) => {
      const { reference } = window as unknown as Window;
      const probe = (window as unknown as { stallProbe: StallProbe }).stallProbe;
      const columns: ResultColumns = await (await fetch(`${data}columns.json`)).json();
      for (let r = 0; r < reps; r++) {
        await new Promise((ok) => setTimeout(ok, 50));
        probe.start();
        await reference.buildObjects(columns);
        probe.stop();
      }
      return probe.longest();
    },
    { data: data('coi'), reps: plan.batchReps },
  );
  await objectsContext.close();

  return {
    ortColdStartWarmMs: round(median(warm)),
    ortSessionMs: round(median(session)),
    ortBatch100kRowsPerSec: Math.round(BATCH_SIZE / (median(batch) / 1000)),
    objectsOnlyLongestTaskMs: round(longest),
  };
}
