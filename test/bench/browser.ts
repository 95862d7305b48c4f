import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { chromium, type Browser, type Page } from '@playwright/test';
import playwrightConfig from '../../playwright.config.js';
import { startStaticServer, type LoggedRequest } from '../e2e/server.js';
import { writeBrowserData } from './browser-data.js';
import { BATCH_SIZE, open, planFor, SAMPLE, type Plan } from './browser-plan.js';
import { benchReference, type ReferenceFigures } from './browser-reference.js';
import { benchHourly, type HourlyFigures } from './hourly.js';
import { benchRoundTrips } from './round-trips.js';
import { installStallProbe, type StallProbe } from './stall.js';
import { median, round } from './stats.js';

/**
 * Chromium figures (Debian Chromium via Playwright), on the e2e harness pages that import
 * featurecast as an app would, with the bike bundle served from 127.0.0.1: on the smallest app
 * (app.html, createPredictor only) the bytes of a first visit and the start with an empty and
 * with a warm HTTP cache; on the harness, the main → worker → main round trip of
 * one `predict`, `predictBatch` throughput for 100,000 records in the worker, and the longest
 * main-thread stall meanwhile; bike-hourly's 336-hour batch of the demo (hourly.ts); then the
 * same measurements without featurecast (browser-reference.ts), in the same browser.
 */

export interface BrowserFigures extends ReferenceFigures, HourlyFigures {
  /** What ran the model (`info.engine`). */
  engine: string;
  /** Brotli bytes of every file a first visit fetched before the first answer, but the HTML page: library JS, manifest, model (and onnxruntime, if it was fetched). */
  firstPredictionBytes: number;
  /** The files counted in firstPredictionBytes. */
  firstPredictionFiles: string[];
  coldStartColdMs: number;
  coldStartWarmMs: number;
  /** Medians over pages (round-trips.ts). */
  roundTripP50Ms: number;
  roundTripP99Ms: number;
  roundTripP99PerPageMs: number[];
  /** onnxruntime alone, on pages alternating with featurecast's. */
  ortRoundTripP50Ms: number;
  ortRoundTripP99Ms: number;
  ortRoundTripP99PerPageMs: number[];
  batch100kRecordsPerSec: number;
  longestMainThreadTaskMs: number;
}

type Harness = {
  featurecast?: typeof import('../../src/index.js');
  app?: { createPredictor: typeof import('../../src/index.js').createPredictor };
};

/** How long a visit lasts after its first answer, before the page is reloaded for a warm start. */
const VISIT_MS = 1000;

/** createPredictor → first answer, in ms, measured in the page; and the engine that answered. */
function coldStart(page: Page, base: string): Promise<{ ms: number; engine: string }> {
  return page.evaluate(
    async ({ base, sample }) => {
      // The smallest app's page (app.html) or the harness, which exposes the whole API.
      const { app, featurecast } = window as unknown as Harness;
      const createPredictor = (app ?? featurecast)!.createPredictor;
      const t0 = performance.now();
      const p = await createPredictor({ manifest: `${base}manifest.json`, model: `${base}model.onnx` });
      await p.predict(sample);
      const ms = performance.now() - t0;
      (window as unknown as { bench: unknown }).bench = p;
      return { ms, engine: p.info.engine };
    },
    { base, sample: SAMPLE },
  );
}

export async function benchBrowser(quick: boolean): Promise<BrowserFigures> {
  const plan = planFor(quick);
  const repo = resolve(import.meta.dirname, '../..');
  const data = mkdtempSync(join(tmpdir(), 'featurecast-bench-'));
  try {
    return await measure(plan, repo, data);
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

async function measure(plan: Plan, repo: string, data: string): Promise<BrowserFigures> {
  const { width, row } = await writeBrowserData(data);
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repo, stdio: 'ignore' });
  for (const config of ['test/e2e/harness/vite.config.ts', 'test/bench/reference/vite.config.ts']) {
    execFileSync('npx', ['vite', 'build', '--config', config], { cwd: repo, stdio: 'ignore' });
  }
  const sites = {
    harness: resolve(repo, 'test/e2e/harness/dist'),
    models: resolve(repo, 'models/bike-daily'),
    'models-hourly': resolve(repo, 'models/bike-hourly'),
    reference: resolve(repo, 'test/bench/reference/dist'),
    data,
  };
  const server = await startStaticServer(sites);
  // Debian's Chromium with the e2e suite's flags: one place says how this project starts a browser.
  const browser: Browser = await chromium.launch(playwrightConfig.use?.launchOptions);
  try {
    const models = (flags: string) => `${server.url}/${flags}/models/`;
    const harness = (flags: string) => `${server.url}/${flags}/harness/`;
    const app = (flags: string) => `${server.url}/${flags}/harness/app.html`;

    // Cold: a fresh context has an empty HTTP cache and Cache API. Warm: the same context, reloaded.
    const cold: number[] = [];
    const warm: number[] = [];
    const engines = new Set<string>();
    for (let r = 0; r < plan.contexts; r++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      // The first visit is tagged, so the server's log lists what it fetched.
      const flags = r === 0 ? 't-first' : '-';
      await open(page, app(flags), 'appReady');
      const first = await coldStart(page, models(flags));
      cold.push(first.ms);
      engines.add(first.engine);
      for (let w = 0; w < 2; w++) {
        // A visit shows its forecast for a moment before the next one: what a load keeps for later
        // (the read tree ensemble, 100 ms after the load) is written by then.
        await page.waitForTimeout(VISIT_MS);
        await page.reload();
        await open(page, app('-'), 'appReady');
        warm.push((await coldStart(page, models('-'))).ms);
      }
      await context.close();
    }
    const firstFiles = ((await (await fetch(`${server.url}/__log/t-first`)).json()) as LoggedRequest[]).filter(
      (r) => r.status === 200 && !r.path.endsWith('.html') && !r.path.endsWith('/'),
    );
    const firstPredictionFiles = firstFiles.map((r) => r.path.split('/').slice(2).join('/'));
    const firstPredictionBytes = firstPredictionFiles.reduce(
      (sum, path) => sum + brotliSize(join(sites[path.split('/')[0] as keyof typeof sites], ...path.split('/').slice(1))),
      0,
    );

    const trips = await benchRoundTrips(browser, server.url, plan, row);

    // The 100,000-record batch and the main thread's longest stall meanwhile, on a page of its own.
    const context = await browser.newContext();
    const page = await context.newPage();
    await open(page, harness('coi'), 'harnessReady');
    await coldStart(page, models('coi'));
    await installStallProbe(page);
    const batch = await page.evaluate(
      async ({ data, reps }) => {
        const p = (window as unknown as { bench: import('../../src/index.js').Predictor }).bench;
        const records: unknown[] = await (await fetch(`${data}records.json`)).json();
        const probe = (window as unknown as { stallProbe: StallProbe }).stallProbe;
        const times: number[] = [];
        for (let r = 0; r < reps; r++) {
          await new Promise((ok) => setTimeout(ok, 50));
          probe.start();
          const t0 = performance.now();
          await p.predictBatch(records);
          times.push(performance.now() - t0);
          probe.stop();
        }
        return { times, longest: await probe.longest() };
      },
      { data: `${server.url}/coi/data/`, reps: plan.batchReps },
    );
    await context.close();

    const hourly = await benchHourly(browser, server.url, plan);
    const reference = await benchReference(browser, server.url, plan, { width, row });
    return {
      engine: [...engines].join(', '),
      firstPredictionBytes,
      firstPredictionFiles,
      coldStartColdMs: round(median(cold)),
      coldStartWarmMs: round(median(warm)),
      roundTripP50Ms: trips.featurecast.p50Ms,
      roundTripP99Ms: trips.featurecast.p99Ms,
      roundTripP99PerPageMs: trips.featurecast.p99PerPageMs,
      batch100kRecordsPerSec: Math.round(BATCH_SIZE / (median(batch.times) / 1000)),
      longestMainThreadTaskMs: round(batch.longest),
      ...hourly,
      ...reference,
      ortRoundTripP50Ms: trips.ort.p50Ms,
      ortRoundTripP99Ms: trips.ort.p99Ms,
      ortRoundTripP99PerPageMs: trips.ort.p99PerPageMs,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

function brotliSize(file: string): number {
  return brotliCompressSync(readFileSync(file), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength;
}
