import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createPredictor, type DriftSnapshot, type Predictor } from 'featurecast';
import { uciToRecord } from 'featurecast/bike-daily';
import { readDayCsv } from '../../models/bike-daily/data.js';
import { bikeDaily } from 'featurecast/bike-daily';
import { siteUrl, watchProblems } from './helpers.js';

/**
 * The demo's drift panel ("Is the model still on familiar ground?") and its weather shift. The
 * panel replays the training years' real daily weather (day.csv, read when the demo is built)
 * with the shift added; the expected numbers come from the same records, shifted here by hand,
 * through a Node predictor.
 */

const SHOTS = resolve(import.meta.dirname, 'screenshots');
mkdirSync(SHOTS, { recursive: true });

/** The training years' real weather, as the demo's drift sample is built from it (needs day.csv, like the unit tests). */
function trainingWeather(): ReturnType<typeof uciToRecord>[] {
  return readDayCsv().map(uciToRecord);
}

const SHIFTS = {
  none: { degrees: 0, humidity: 0 },
  heat: { degrees: 10, humidity: 0 },
  cold: { degrees: -10, humidity: 0 },
  humid: { degrees: 0, humidity: 30 },
} as const;
type ShiftId = keyof typeof SHIFTS;

let node: Predictor;
const expected = {} as Record<ShiftId, DriftSnapshot>;
test.beforeAll(async () => {
  node = await createPredictor(bikeDaily, { worker: false });
  const days = trainingWeather();
  for (const id of Object.keys(SHIFTS) as ShiftId[]) {
    const { degrees, humidity } = SHIFTS[id];
    await node.resetMonitor();
    await node.predictBatch(
      days.map((d) => ({
        ...d,
        temperature: d.temperature + degrees,
        feelsLike: d.feelsLike + degrees,
        humidity: Math.min(100, d.humidity + humidity),
      })),
    );
    expected[id] = (await node.monitor()).drift!;
  }
});
test.afterAll(async () => node?.dispose());

async function open(page: Page): Promise<string[]> {
  const problems = watchProblems(page);
  await page.goto(siteUrl('demo'));
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 15_000 });
  await shownFor(page, 'none');
  return problems;
}

/** Waits until the panel shows the check for this shift and the newest forecast is on screen. */
async function shownFor(page: Page, shift: ShiftId): Promise<void> {
  await expect(page.locator('#drift')).toHaveAttribute('data-shift', shift);
  await expect(page.locator('#drift')).not.toHaveAttribute('aria-busy', 'true');
  await page.waitForFunction(() => {
    const app = document.getElementById('app')!;
    return app.dataset.requested !== undefined && app.dataset.requested === app.dataset.updates;
  });
}

async function choose(page: Page, label: string, shift: ShiftId): Promise<void> {
  await page.getByRole('radio', { name: label }).check();
  await shownFor(page, shift);
}

const row = (page: Page, field: string) => page.locator(`#drift-rows tr[data-field="${field}"]`);
const WORD = { ok: 'OK', warn: 'Warn', alert: 'Alert', 'insufficient-data': 'Too few days' } as const;

/** Every row shows the Node monitor's PSI (2 decimals), status in words and out-of-range days. */
async function expectPanelMatches(page: Page, shift: ShiftId): Promise<void> {
  const want = expected[shift];
  await expect(page.locator('#drift')).toHaveAttribute('data-status', want.status);
  await expect(page.locator('#drift-summary')).toContainText(WORD[want.status]);
  await expect(page.locator('#drift-sample')).toContainText(`Checked on ${want.records} days`);
  for (const [name, field] of Object.entries(want.fields)) {
    await expect(row(page, name)).toHaveAttribute('data-status', field.status);
    await expect(row(page, name).locator('td').nth(0)).toHaveText(field.psi.toFixed(2));
    await expect(row(page, name).locator('td').nth(1)).toHaveText(WORD[field.status]);
    const outside = field.outOfRange + field.unknownCategory;
    await expect(row(page, name).locator('td').nth(2)).toHaveText(outside ? String(outside) : 'none');
  }
  await expect(row(page, 'output')).toHaveAttribute('data-status', want.output!.status);
  await expect(row(page, 'output').locator('td').nth(0)).toHaveText(want.output!.psi.toFixed(2));
}

test('the expected values: unshifted training weather is ok, +10 °C alerts on the two temperatures only', () => {
  expect(expected.none.records).toBe(731);
  expect(expected.none.status).toBe('ok');
  for (const f of Object.values(expected.none.fields)) expect(f).toEqual({ psi: 0, status: 'ok', outOfRange: 0, unknownCategory: 0 });
  const heat = expected.heat.fields;
  expect([heat.temperature!.status, heat.feelsLike!.status]).toEqual(['alert', 'alert']);
  expect([heat.humidity!.status, heat.windSpeed!.status, heat.weather!.status]).toEqual(['ok', 'ok', 'ok']);
  expect(heat.temperature!.outOfRange).toBeGreaterThan(0);
});

test('default ok → +10 °C heat wave alerts on temperature and clips the forecast → none is ok again (1280 px)', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const problems = await open(page);
  await expectPanelMatches(page, 'none');
  await expect(row(page, 'temperature')).toContainText('OK');
  await expect(page.locator('#model-card .level-scale')).toHaveText('×1.00');
  await page.getByLabel('First day of the forecast').fill('2012-07-01');
  await page.getByLabel('First day of the forecast').blur();
  await shownFor(page, 'none');
  await expect(page.locator('#days .warnings')).toHaveCount(0);
  const first = page.locator('#days > li').first();
  const typical = Number(await first.getByLabel('Temperature').inputValue());
  await page.locator('#drift').screenshot({ path: resolve(SHOTS, 'monitor-1280-none.png') });

  await choose(page, '+10 °C heat wave', 'heat');
  await expectPanelMatches(page, 'heat');
  for (const field of ['temperature', 'feelsLike']) await expect(row(page, field)).toHaveAttribute('data-status', 'alert');
  for (const field of ['humidity', 'windSpeed', 'weather']) await expect(row(page, field)).not.toHaveAttribute('data-status', 'alert');
  await expect(page.locator('#drift-summary')).toContainText('(temperature and feels like)');
  // Typical 1 July is about 31 °C: +10 °C leaves the training range (up to 35.3 °C), and the days say so.
  await expect(first.getByLabel('Temperature')).toHaveValue(String(Math.round((typical + 10) * 10) / 10));
  await expect(first.locator('.warnings')).toContainText('outside the training weather');
  await expect(page.locator('#shift-note')).toContainText('+10 °C heat wave');
  await page.screenshot({ path: resolve(SHOTS, 'monitor-1280-heat-top.png') });
  await page.locator('#drift').screenshot({ path: resolve(SHOTS, 'monitor-1280-heat.png') });
  await first.screenshot({ path: resolve(SHOTS, 'monitor-1280-heat-day.png') });

  await choose(page, 'None', 'none');
  await expectPanelMatches(page, 'none');
  await expect(page.locator('#days .warnings')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('cold snap and humidity flag their own inputs', async ({ page }) => {
  const problems = await open(page);
  await choose(page, '−10 °C cold snap', 'cold');
  await expectPanelMatches(page, 'cold');
  await choose(page, '+30 % humidity', 'humid');
  await expectPanelMatches(page, 'humid');
  await expect(row(page, 'humidity')).toHaveAttribute('data-status', 'alert');
  await expect(row(page, 'temperature')).toHaveAttribute('data-status', 'ok');
  expect(problems).toEqual([]);
});

test('keyboard: the shift is one Tab stop, arrow keys choose', async ({ page }) => {
  const problems = await open(page);
  await page.keyboard.press('Tab');
  await expect(page.locator(':focus')).toHaveAttribute('id', 'shift-none');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('radio', { name: '+10 °C heat wave' })).toBeChecked();
  await shownFor(page, 'heat');
  await expect(row(page, 'temperature')).toHaveAttribute('data-status', 'alert');
  await page.locator('#shift').screenshot({ path: resolve(SHOTS, 'monitor-shift-focus.png') });
  await page.keyboard.press('ArrowLeft');
  await shownFor(page, 'none');
  await expect(page.locator('#drift')).toHaveAttribute('data-status', 'ok');
  expect(problems).toEqual([]);
});

test('375 px: the panel fits, no sideways scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 812 });
  const problems = await open(page);
  await page.screenshot({ path: resolve(SHOTS, 'monitor-375-top.png') });
  await choose(page, '+10 °C heat wave', 'heat');
  const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
  expect(widths.doc).toBeLessThanOrEqual(widths.view);
  const table = await page.locator('#drift-table').boundingBox();
  const panel = await page.locator('#drift').boundingBox();
  expect(table!.x + table!.width).toBeLessThanOrEqual(panel!.x + panel!.width);
  await page.locator('#drift').screenshot({ path: resolve(SHOTS, 'monitor-375-heat.png') });
  await page.locator('.controls').screenshot({ path: resolve(SHOTS, 'monitor-375-controls.png') });
  expect(problems).toEqual([]);
});
