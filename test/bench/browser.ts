import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { startStaticServer } from '../e2e/server.js';
import { benchRecords } from './records.js';
import { median, percentile, round } from './stats.js';

/**
 * Chromium figures (Debian Chromium via Playwright), on the e2e harness page that imports
 * featurecast as an app would, with the bike bundle served from 127.0.0.1:
 * cold start with an empty and with a warm HTTP cache, the main → worker → main round trip of
 * one `predict`, `predictBatch` throughput for 100,000 records in the worker, and the longest
 * main-thread stall meanwhile.
 */

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface BrowserFigures {
  coldStartColdMs: number;
  coldStartWarmMs: number;
  roundTripP50Ms: number;
  roundTripP99Ms: number;
  batch100kRecordsPerSec: number;
  longestMainThreadTaskMs: number;
}

type Harness = { featurecast: typeof import('../../src/index.js') };

/** createPredictor → first answer, in ms, measured in the page. */
function coldStart(page: Page, base: string): Promise<number> {
  return page.evaluate(async (base) => {
    const { featurecast } = window as unknown as Harness;
    const t0 = performance.now();
    const p = await featurecast.createPredictor({ manifest: `${base}manifest.json`, model: `${base}model.onnx` });
    await p.predict({ date: '2012-06-01', temperature: 24.5, feelsLike: 27, humidity: 60, windSpeed: 12, weather: 'clear' });
    const ms = performance.now() - t0;
    (window as unknown as { bench: unknown }).bench = p;
    return ms;
  }, base);
}

export async function benchBrowser(quick: boolean): Promise<BrowserFigures> {
  const repo = resolve(import.meta.dirname, '../..');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repo, stdio: 'ignore' });
  execFileSync('npx', ['vite', 'build', '--config', 'test/e2e/harness/vite.config.ts'], { cwd: repo, stdio: 'ignore' });
  const server = await startStaticServer({ harness: resolve(repo, 'test/e2e/harness/dist'), models: resolve(repo, 'models/bike-daily') });
  const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  try {
    const models = (flags: string) => `${server.url}/${flags}/models/`;
    const harness = (flags: string) => `${server.url}/${flags}/harness/`;
    const open = async (page: Page, flags: string) => {
      await page.goto(harness(flags));
      await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true);
    };

    // Cold: a fresh context has an empty HTTP cache and Cache API. Warm: the same context, reloaded.
    const cold: number[] = [];
    const warm: number[] = [];
    for (let r = 0; r < (quick ? 2 : 4); r++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await open(page, '-');
      cold.push(await coldStart(page, models('-')));
      for (let w = 0; w < 2; w++) {
        await page.reload();
        await open(page, '-');
        warm.push(await coldStart(page, models('-')));
      }
      await context.close();
    }

    // Cross-origin isolated page: 5 µs timers instead of 100 µs, so single round trips can be timed.
    const context = await browser.newContext();
    const page = await context.newPage();
    await open(page, 'coi');
    await coldStart(page, models('coi'));
    const trips = await page.evaluate(async (calls) => {
      const p = (window as unknown as { bench: import('../../src/index.js').Predictor }).bench;
      const record = { date: '2012-06-01', temperature: 24.5, feelsLike: 27, humidity: 60, windSpeed: 12, weather: 'clear' };
      for (let i = 0; i < 200; i++) await p.predict(record);
      const times: number[] = [];
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        await p.predict(record);
        times.push(performance.now() - t0);
      }
      return times;
    }, quick ? 1000 : 2000);

    const records = benchRecords(100_000);
    const batch = await page.evaluate(
      async ({ records, reps }) => {
        const p = (window as unknown as { bench: import('../../src/index.js').Predictor }).bench;
        let longest = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) longest = Math.max(longest, entry.duration);
        }).observe({ type: 'longtask' });
        // A MessageChannel ping every millisecond: the largest gap between pings (≈ 1 ms more
        // than the stall) is the longest main-thread stall. Not back to back: at ~65,000 pings a
        // second the loop kept a core busy and made enough garbage to lengthen, by ~20 ms, the
        // garbage collections it was measuring.
        let running = true;
        let last = performance.now();
        let gap = 0;
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          const now = performance.now();
          gap = Math.max(gap, now - last);
          last = now;
          if (running) setTimeout(() => channel.port2.postMessage(0), 1);
        };
        const times: number[] = [];
        for (let r = 0; r < reps; r++) {
          await new Promise((ok) => setTimeout(ok, 50));
          last = performance.now();
          running = true;
          channel.port2.postMessage(0);
          const t0 = performance.now();
          await p.predictBatch(records);
          times.push(performance.now() - t0);
          running = false;
        }
        await new Promise((ok) => setTimeout(ok, 100));
        return { times, longest: Math.max(longest, gap) };
      },
      { records, reps: quick ? 3 : 5 },
    );
    await context.close();
    return {
      coldStartColdMs: round(median(cold)),
      coldStartWarmMs: round(median(warm)),
      roundTripP50Ms: round(percentile(trips, 0.5)),
      roundTripP99Ms: round(percentile(trips, 0.99)),
      batch100kRecordsPerSec: Math.round(100_000 / (median(batch.times) / 1000)),
      longestMainThreadTaskMs: round(batch.longest),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
