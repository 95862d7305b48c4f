import type { Page } from '@playwright/test';

/** What featurecast's browser measurements and their references share, so both follow one plan. */

/** How much of each measurement to do; for featurecast and its references alike. */
export interface Plan {
  /** Fresh contexts for cold starts; each is then reloaded twice for warm starts. */
  contexts: number;
  /** Fresh pages of one-record round trips, for featurecast and for onnxruntime alone each. */
  tripPages: number;
  warmCalls: number;
  /** Timed round trips per page. */
  calls: number;
  batchReps: number;
}

export const planFor = (quick: boolean): Plan =>
  quick
    ? { contexts: 1, tripPages: 1, warmCalls: 200, calls: 1000, batchReps: 2 }
    : { contexts: 4, tripPages: 3, warmCalls: 200, calls: 2000, batchReps: 5 };

/** The record every cold start and round trip predicts. */
export const SAMPLE = { date: '2012-06-01', temperature: 24.5, feelsLike: 27, humidity: 60, windSpeed: 12, weather: 'clear' } as const;

export const BATCH_SIZE = 100_000;

/** Opens `url` in `page` and waits until the page sets `window[flag]`. */
export async function open(page: Page, url: string, flag: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction((flag) => (window as unknown as Record<string, unknown>)[flag] === true, flag);
}
