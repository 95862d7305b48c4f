import { readFileSync } from 'node:fs';
import type { Browser } from '@playwright/test';
import type { TypicalHours } from '../../models/bike-hourly/typical.js';
import { open, type Plan } from './browser-plan.js';
import { median, percentile, round } from './stats.js';

/**
 * The demo's when-to-ride work at its largest: all 336 hours of the 14 forecast days through
 * bike-hourly's `predictBatch` in the worker (validation, features, ONNX, results), with the
 * typical hourly weather the page starts from. Timed in a cross-origin-isolated page (5 µs timers).
 */

/** 14 forecast days of 24 hours. */
export const HOURLY_BATCH = 14 * 24;

/** Median and p99 of one 336-record predictBatch, in ms. */
export interface HourlyFigures {
  hourly336P50Ms: number;
  hourly336P99Ms: number;
}

/** 14 days × 24 hours from `start`, each hour with the typical weather shipped beside the model. */
export function hourlyRecords(start = '2012-09-01'): Array<Record<string, unknown>> {
  const table = JSON.parse(readFileSync('models/bike-hourly/typical-hourly-weather.json', 'utf8')) as { days: TypicalHours[] };
  const records: Array<Record<string, unknown>> = [];
  for (let d = 0; d < HOURLY_BATCH / 24; d++) {
    const at = new Date(Date.parse(`${start}T00:00:00Z`) + d * 86_400_000);
    const date = at.toISOString().slice(0, 10);
    const doy = Math.round((at.getTime() - Date.UTC(at.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
    const row = table.days.reduce((best, r) => (Math.abs(r.dayOfYear - doy) < Math.abs(best.dayOfYear - doy) ? r : best));
    for (let h = 0; h < 24; h++) {
      records.push({
        time: `${date}T${String(h).padStart(2, '0')}:00`,
        temperature: row.temperature[h],
        feelsLike: row.feelsLike[h],
        humidity: row.humidity[h],
        windSpeed: row.windSpeed[h],
        weather: row.weather[h],
      });
    }
  }
  return records;
}

type Harness = { featurecast: typeof import('../../src/index.js') };

/** `server` serves the `harness` site and the bike-hourly bundle as `models-hourly`. */
export async function benchHourly(browser: Browser, server: string, plan: Plan): Promise<HourlyFigures> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await open(page, `${server}/coi/harness/`, 'harnessReady');
    const times = await page.evaluate(
      async ({ base, records, warm, reps }) => {
        const { featurecast } = window as unknown as Harness;
        const p = await featurecast.createPredictor({ manifest: `${base}manifest.json`, model: `${base}model.onnx` });
        for (let i = 0; i < warm; i++) await p.predictBatch(records);
        const out: number[] = [];
        for (let i = 0; i < reps; i++) {
          const t0 = performance.now();
          await p.predictBatch(records);
          out.push(performance.now() - t0);
        }
        await p.dispose();
        return out;
      },
      { base: `${server}/coi/models-hourly/`, records: hourlyRecords(), warm: 20, reps: plan.batchReps * 40 },
    );
    return { hourly336P50Ms: round(median(times)), hourly336P99Ms: round(percentile(times, 0.99)) };
  } finally {
    await context.close();
  }
}
