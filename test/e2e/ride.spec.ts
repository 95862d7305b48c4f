import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createPredictor, type Predictor } from 'featurecast';
import { bikeHourly } from 'featurecast/bike-hourly';
import { siteUrl, watchProblems } from './helpers.js';

/** The demo's "when to ride" panel: one day of the 14, hour by hour, from the bike-hourly model. */

const SHOTS = resolve(import.meta.dirname, 'screenshots');
mkdirSync(SHOTS, { recursive: true });

// Each test loads two models, one after the other (the hourly one waits for the daily one).
test.describe.configure({ timeout: 60_000 });

let node: Predictor;
test.beforeAll(async () => {
  node = await createPredictor(bikeHourly, { worker: false });
});
test.afterAll(async () => node?.dispose());

/** Opens the demo at `start` and waits until both models have answered. */
async function openAt(page: Page, start: string): Promise<string[]> {
  const problems = watchProblems(page);
  await page.goto(siteUrl('demo'));
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 15_000 });
  await page.getByLabel('First day of the forecast').fill(start);
  await page.getByLabel('First day of the forecast').blur();
  await expect(page.locator('#days > li').first()).toHaveAttribute('data-date', start);
  await expect(page.locator('#ride')).toHaveAttribute('data-state', 'ready', { timeout: 15_000 });
  await settled(page);
  return problems;
}

/** Waits until the newest request of the daily list and of the hourly panel are the ones on screen. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    ['app', 'ride'].every((id) => {
      const d = document.getElementById(id)!.dataset;
      return d.requested !== undefined && d.requested === d.updates;
    }),
  );
}

async function chooseDay(page: Page, date: string): Promise<void> {
  await page.getByLabel('Day', { exact: true }).selectOption(date);
  await expect(page.locator('#hours > li').first()).toHaveAttribute('data-hour', '0');
  await settled(page);
}

const hourValues = (page: Page) =>
  page.locator('#hours > li').evaluateAll((items) => items.map((li) => Number((li as HTMLElement).dataset.rentals)));

test("a chosen day shows 24 numbers, a bar per hour, the quiet daylight hours, and both models' day totals", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const problems = await openAt(page, '2012-09-01');
  await chooseDay(page, '2012-09-04');
  await expect(page.locator('#ride-title')).toContainText('Tuesday 4 September 2012');
  await expect(page.locator('#hours > li[data-rentals]')).toHaveCount(24);
  const shown = await page.locator('#hours .hour-value').allTextContents();
  expect(shown).toHaveLength(24);
  for (const text of shown) expect(text).toMatch(/^\d{1,3}(,\d{3})*$/);
  await expect(page.locator('#ride-chart rect.hour-bar')).toHaveCount(24);
  await expect(page.locator('#ride-quiet li')).toHaveCount(3);
  await expect(page.locator('#hours .quiet-tag')).toHaveCount(3);

  // The hourly total is the sum of the 24 hours shown; the daily total is bike-daily's answer in the day list.
  const values = await hourValues(page);
  const sum = values.reduce((a, b) => a + b, 0);
  const total = Number(await page.locator('#ride-hourly-total').getAttribute('data-rentals'));
  expect(Math.abs(total - sum)).toBeLessThanOrEqual(1e-9 * sum);
  await expect(page.locator('#ride-hourly-total .ride-total-value')).toHaveText(Math.round(sum).toLocaleString('en-US'));
  const daily = await page.locator('#days > li[data-date="2012-09-04"]').getAttribute('data-rentals');
  expect(await page.locator('#ride-daily-total').getAttribute('data-rentals')).toBe(daily);

  // Each hour is exactly what the Node API gives for the same record.
  const at8 = page.getByRole('group', { name: 'Weather at 08:00 on Tuesday 4 September 2012' });
  await page.locator('#hours > li[data-hour="8"] summary').click();
  const num = async (label: string) => Number(await at8.getByLabel(label).inputValue());
  const record = {
    time: '2012-09-04T08:00',
    temperature: await num('Temperature'),
    feelsLike: await num('Feels like'),
    humidity: await num('Humidity'),
    windSpeed: await num('Wind'),
    weather: await at8.getByLabel('Condition').inputValue(),
  };
  const expected = await node.predict(record);
  expect(Math.abs(values[8]! - (expected.rentals as number))).toBeLessThanOrEqual(1e-9 * (expected.rentals as number));
  await expect(page.locator('#hours > li[data-hour="8"] .badge')).toHaveText(expected.busyness as string);
  await page.screenshot({ path: resolve(SHOTS, 'ride-1280.png'), fullPage: false });
  await page.locator('#ride').screenshot({ path: resolve(SHOTS, 'ride-1280-panel.png') });
  expect(problems).toEqual([]);
});

test("changing one hour's weather changes only that hour, and the day total follows", async ({ page }) => {
  const problems = await openAt(page, '2012-07-01');
  await chooseDay(page, '2012-07-03');
  const before = await hourValues(page);
  await page.locator('#hours > li[data-hour="17"] summary').click();
  const at17 = page.getByRole('group', { name: /^Weather at 17:00 on Tuesday 3 July 2012$/ });
  await at17.getByLabel('Condition').selectOption('heavy-precipitation');
  await at17.getByLabel('Temperature').fill('12');
  await settled(page);
  const after = await hourValues(page);
  expect(after[17]).toBeLessThan(before[17]!);
  expect(after.filter((_, h) => h !== 17)).toEqual(before.filter((_, h) => h !== 17));
  const sum = after.reduce((a, b) => a + b, 0);
  const total = Number(await page.locator('#ride-hourly-total').getAttribute('data-rentals'));
  expect(Math.abs(total - sum)).toBeLessThanOrEqual(1e-9 * sum);
  await expect(page.locator('#hours > li[data-hour="17"] summary')).toContainText('12 °C, heavy rain or snow');

  // A bad value is explained in that hour; the day has no total until it is fixed.
  await at17.getByLabel('Temperature').fill('');
  await settled(page);
  await expect(page.locator('#hours > li[data-hour="17"] .problems')).toHaveText('Temperature: enter a number.');
  await expect(page.locator('#ride-hourly-total .ride-total-value')).toHaveText('—');
  expect(problems).toEqual([]);
});

test('a day card\'s "Hours" button opens that day in the panel', async ({ page }) => {
  const problems = await openAt(page, '2012-09-01');
  await page.getByRole('button', { name: 'Hours of Saturday 8 September 2012' }).click();
  await expect(page.getByLabel('Day', { exact: true })).toHaveValue('2012-09-08');
  await expect(page.getByLabel('Day', { exact: true })).toBeFocused();
  await settled(page);
  await expect(page.locator('#hours > li[data-rentals]')).toHaveCount(24);
  expect(problems).toEqual([]);
});

test('375 × 812: the when-to-ride view does not scroll sideways and its chart fits', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 812 });
  const problems = await openAt(page, '2012-09-01');
  await chooseDay(page, '2012-09-05');
  await page.locator('#hours > li[data-hour="8"] summary').click();
  const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
  expect(widths.doc).toBeLessThanOrEqual(widths.view);
  const chart = await page.locator('#ride-chart svg').boundingBox();
  const panel = await page.locator('#ride').boundingBox();
  expect(chart!.x).toBeGreaterThanOrEqual(panel!.x);
  expect(chart!.x + chart!.width).toBeLessThanOrEqual(panel!.x + panel!.width);
  // Axis labels stay at a legible size on a phone.
  const fontSize = await page
    .locator('#ride-chart text.tick')
    .first()
    .evaluate((t) => parseFloat(getComputedStyle(t).fontSize));
  expect(fontSize).toBeGreaterThanOrEqual(11);
  await page.locator('#ride-title').scrollIntoViewIfNeeded();
  await page.locator('#ride').screenshot({ path: resolve(SHOTS, 'ride-375-panel.png') });
  await page.locator('#ride-chart').screenshot({ path: resolve(SHOTS, 'ride-375-chart.png') });
  await page.locator('#ride-title').evaluate((t) => t.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: resolve(SHOTS, 'ride-375.png') });
  expect(problems).toEqual([]);
});
