import { mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createPredictor, type Predictor } from 'featurecast';
import { bikeDaily } from 'featurecast/bike-daily';
import { readDayCsv } from '../../models/bike-daily/data.js';
import { requestLog, siteUrl, watchProblems, type Flag } from './helpers.js';

/** The demo page ("How busy will the bikes be?"), built and served from a sub-path on 127.0.0.1. */

const SHOTS = resolve(import.meta.dirname, 'screenshots');
mkdirSync(SHOTS, { recursive: true });

const actualCounts = new Map(readDayCsv().map((d) => [d.dteday, d.cnt]));

let node: Predictor;
test.beforeAll(async () => {
  node = await createPredictor(bikeDaily, { worker: false });
});
test.afterAll(async () => node?.dispose());

async function openDemo(page: Page, flags: readonly Flag[] = []): Promise<string[]> {
  const problems = watchProblems(page);
  await page.goto(siteUrl('demo', flags));
  return problems;
}

async function waitReady(page: Page): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready', { timeout: 15_000 });
  await settled(page);
}

/** Waits until the newest prediction request is the one on screen. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const app = document.getElementById('app')!;
    return app.dataset.requested !== undefined && app.dataset.requested === app.dataset.updates;
  });
}

async function setStart(page: Page, date: string): Promise<void> {
  await page.getByLabel('First day of the forecast').fill(date);
  await page.getByLabel('First day of the forecast').blur();
  await expect(page.locator('#days > li').first()).toHaveAttribute('data-date', date);
  await settled(page);
}

const modelSize = async () => statSync(new URL(bikeDaily.model)).size;
const formatKb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

const day = (page: Page, date: string) => page.locator(`#days > li[data-date="${date}"]`);
const rentalsOf = async (page: Page, date: string) => Number(await day(page, date).getAttribute('data-rentals'));

test('the forecast appears: 14 days, chart, model card, timing (1280 px)', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const problems = await openDemo(page);
  await waitReady(page);
  await expect(page.locator('#days > li')).toHaveCount(14);
  await expect(page.locator('#days > li[data-rentals]')).toHaveCount(14);
  await expect(page.locator('#chart svg rect.bar')).toHaveCount(14);
  // Any duration: the demo writes 1.0 s and up in seconds, and a loaded CI machine got there once.
  await expect(page.locator('#timing')).toContainText(
    /14 days predicted in [\d.]+ m?s on this device, in a Web Worker: no server involved/,
  );
  await expect(page.locator('#model-card')).toContainText(node.info.version);
  await expect(page.locator('#model-card')).toContainText('What the model cannot know');
  await expect(page.locator('#model-card')).toContainText(node.info.metrics!.holdout!.r2!.toFixed(2));
  // Default start is today (the browser's date); those days are beyond the training data.
  const today = await page.evaluate(() => new Date().toLocaleDateString('sv-SE'));
  await expect(page.getByLabel('First day of the forecast')).toHaveValue(today);
  await expect(page.locator('#period-note')).toContainText('after the training data');
  await page.screenshot({ path: resolve(SHOTS, 'demo-1280-today.png'), fullPage: true });

  await setStart(page, '2012-09-01');
  await expect(page.locator('#chart svg path.actual-mark')).toHaveCount(actualCounts.size ? 14 : 0);
  await page.screenshot({ path: resolve(SHOTS, 'demo-1280-2012.png'), fullPage: true });
  await page.screenshot({ path: resolve(SHOTS, 'demo-1280-2012-top.png') });
  await page
    .locator('#days > li')
    .nth(7)
    .screenshot({ path: resolve(SHOTS, 'demo-1280-day.png') });
  expect(problems).toEqual([]);
});

test('a fixed input gives exactly the Node API answer, with the actual count beside it', async ({ page }) => {
  const problems = await openDemo(page);
  await waitReady(page);
  await setStart(page, '2012-09-01');
  const date = '2012-09-03'; // Labor Day: the holiday calendar must agree too
  const record = { date, temperature: 24.5, feelsLike: 27, humidity: 60, windSpeed: 12, weather: 'mist' };
  const weather = page.getByRole('group', { name: /^Weather on Monday 3 September 2012$/ });
  await weather.getByLabel('Temperature').fill('24.5');
  await weather.getByLabel('Feels like').fill('27');
  await weather.getByLabel('Humidity').fill('60');
  await weather.getByLabel('Wind').fill('12');
  await weather.getByLabel('Condition').selectOption('mist');
  await settled(page);
  const expected = await node.predict(record);
  const shown = await rentalsOf(page, date);
  expect(Math.abs(shown - (expected.rentals as number))).toBeLessThanOrEqual(1e-9 * (expected.rentals as number));
  const card = day(page, date);
  await expect(card.locator('.rentals-value')).toHaveText(Math.round(expected.rentals as number).toLocaleString('en-US'));
  await expect(card.locator('.badge')).toContainText(new RegExp(`^Busyness: ${expected.busyness as string}$`, 'i'));
  if (actualCounts.has(date))
    await expect(card.locator('.actual')).toHaveText(`Actual: ${actualCounts.get(date)!.toLocaleString('en-US')}`);
  expect(problems).toEqual([]);
});

test('editing a temperature re-predicts that day only; bad and impossible values are explained', async ({ page }) => {
  const problems = await openDemo(page);
  await waitReady(page);
  await setStart(page, '2012-07-01');
  const [first, second] = ['2012-07-01', '2012-07-02'];
  const before = await rentalsOf(page, first);
  const untouched = await rentalsOf(page, second);
  const temperature = page.getByRole('group', { name: /Sunday 1 July 2012/ }).getByLabel('Temperature');
  await temperature.fill('8');
  await settled(page);
  const after = await rentalsOf(page, first);
  expect(after).not.toBe(before);
  expect(await rentalsOf(page, second)).toBe(untouched);
  const node8 = await node.predict({ date: first, ...(await inputsOf(page, first)), temperature: 8 });
  expect(after).toBeCloseTo(node8.rentals as number, 6);

  await temperature.fill('48');
  await settled(page);
  await expect(day(page, first).locator('.warnings')).toContainText('outside the training weather');
  // Outside what is possible: refused, with the library's message (unit and likely mistake), never clipped.
  await temperature.fill('205');
  await settled(page);
  await expect(day(page, first).locator('.problems')).toHaveText(
    'Temperature: 205 °C is outside the possible -60…60 °C — Fahrenheit or Kelvin?',
  );
  await expect(day(page, first).locator('.rentals-value')).toHaveText('—');
  await expect(day(page, first).locator('.warnings')).toHaveCount(0);
  expect(await rentalsOf(page, second)).toBe(untouched);
  await page
    .getByRole('group', { name: /Sunday 1 July 2012/ })
    .getByLabel('Humidity')
    .fill('250');
  await settled(page);
  await expect(day(page, first).locator('.problems li')).toHaveText([
    'Temperature: 205 °C is outside the possible -60…60 °C — Fahrenheit or Kelvin?',
    'Humidity: 250 % is outside the possible 0…100 %.',
  ]);
  await page
    .getByRole('group', { name: /Sunday 1 July 2012/ })
    .getByLabel('Humidity')
    .fill('60');
  await temperature.fill('');
  await settled(page);
  await expect(day(page, first).locator('.problems')).toHaveText('Temperature: enter a number.');
  await expect(day(page, first).locator('.rentals-value')).toHaveText('—');
  expect(problems).toEqual([]);
});

test("days before 2000 are refused with the library's message; the rest of the fortnight is predicted", async ({ page }) => {
  const problems = await openDemo(page);
  await waitReady(page);
  await setStart(page, '1999-12-25');
  await expect(day(page, '1999-12-31').locator('.problems')).toHaveText('Date: 1999-12-31 is outside the possible 2000-01-01…2100-12-31.');
  await expect(day(page, '1999-12-31').locator('.rentals-value')).toHaveText('—');
  // 2000-01-01 is possible (before training: extrapolated, so a forecast with a busyness level).
  await expect(day(page, '2000-01-01')).not.toHaveAttribute('data-band', 'none');
  const temperature = Number(await day(page, '2000-01-01').getByLabel('Temperature').inputValue());
  const inNode = await node.predict({ date: '2000-01-01', ...(await inputsOf(page, '2000-01-01')), temperature });
  expect(await rentalsOf(page, '2000-01-01')).toBeCloseTo(inNode.rentals as number, 6);
  expect(problems).toEqual([]);
});

async function inputsOf(page: Page, date: string) {
  const group = day(page, date);
  const num = async (label: string) => Number(await group.getByLabel(label).inputValue());
  return {
    feelsLike: await num('Feels like'),
    humidity: await num('Humidity'),
    windSpeed: await num('Wind'),
    weather: await group.getByLabel('Condition').inputValue(),
  };
}

test('375 px: no sideways scrolling, everything reachable', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 812 });
  const problems = await openDemo(page);
  await waitReady(page);
  await setStart(page, '2012-09-01');
  const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
  expect(widths.doc).toBeLessThanOrEqual(widths.view);
  await page.screenshot({ path: resolve(SHOTS, 'demo-375.png'), fullPage: true });
  await page.screenshot({ path: resolve(SHOTS, 'demo-375-top.png') });
  // The full page is too tall to read scaled down: the parts, at their real size.
  await page
    .locator('#chart')
    .locator('..')
    .screenshot({ path: resolve(SHOTS, 'demo-375-chart.png') });
  await page
    .locator('#days > li')
    .nth(1)
    .screenshot({ path: resolve(SHOTS, 'demo-375-day.png') });
  await page.locator('#model-card').screenshot({ path: resolve(SHOTS, 'demo-375-card.png') });
  expect(problems).toEqual([]);
});

test('keyboard only: every control is labelled and reachable with Tab', async ({ page }) => {
  const problems = await openDemo(page);
  await waitReady(page);
  const unlabelled = await page.evaluate(
    () =>
      [...document.querySelectorAll('input, select, button')].filter((c) => {
        const labels = (c as HTMLInputElement).labels;
        return !labels?.length && !(c.textContent ?? '').trim() && !c.getAttribute('aria-label');
      }).length,
  );
  expect(unlabelled).toBe(0);
  for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.id)) !== 'sample'; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await settled(page);
  const start = await page.getByLabel('First day of the forecast').inputValue();
  expect(start).toBe(node.info.metrics?.holdout?.from);
  await page.keyboard.press('Tab'); // → chart area has no stops; next is the reset button, then day 1's inputs
  await page.keyboard.press('Tab');
  await expect(page.locator(':focus')).toHaveAttribute('id', 'd0-temperature');
  await page.keyboard.type('3');
  await settled(page);
  await expect(page.locator('#d0-temperature')).toHaveValue(/3$/);
  expect(problems).toEqual([]);
});

test('loading shows real byte counts for the model, and no runtime download for the tree models', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 700 });
  const problems = await openDemo(page, ['slow']);
  await expect(page.locator('#progress-model-text')).toContainText(/^[\d.]+ (B|kB|MB) of [\d.]+ kB$/);
  await page.screenshot({ path: resolve(SHOTS, 'loading-375.png') });
  await waitReady(page);
  const modelBytes = formatKb(await modelSize());
  await expect(page.locator('#progress-model-text')).toHaveText(`${modelBytes} of ${modelBytes}`);
  await expect(page.locator('#progress-wasm-row')).toBeHidden();
  expect(problems).toEqual([]);
});

test('both bike models run on the built-in tree engine: the demo fetches no onnxruntime, JS or wasm', async ({ page }) => {
  await openDemo(page, ['t-demo-engine']);
  await waitReady(page);
  await expect(page.locator('#model-card .engine')).toHaveText(/built-in tree engine/);
  // The hourly panel's model is loaded after the first forecast.
  await expect(page.locator('#ride')).toHaveAttribute('data-state', 'ready', { timeout: 15_000 });
  await expect(page.locator('#hours > li[data-rentals]')).toHaveCount(24);
  const paths = (await requestLog('t-demo-engine')).map((r) => r.path);
  expect(
    paths.filter((p) => p.endsWith('.onnx')),
    paths.join(', '),
  ).toHaveLength(2); // bike-daily's and bike-hourly's
  expect(paths.filter((p) => /\.wasm$|ort/.test(p))).toEqual([]);
});

for (const [flag, code, text] of [
  ['model404', 'ERR_BUNDLE_FETCH', /HTTP 404/],
  ['modelcorrupt', 'ERR_BUNDLE_INTEGRITY', /sha256/],
] as const) {
  test(`a broken model shows the error state (${flag})`, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const problems = await openDemo(page, [flag]);
    await expect(page.locator('body')).toHaveAttribute('data-state', 'error');
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'The model could not be loaded' })).toBeVisible();
    // The panel is final once the state says error: no need to wait on its text.
    await expect(page.locator('#error-detail')).toContainText(text, { timeout: 1000 });
    await expect(page.locator('#error-detail')).toContainText(code, { timeout: 1000 });
    await expect(page.locator('#loading')).toBeHidden();
    await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
    await page.screenshot({ path: resolve(SHOTS, `error-${flag}-1280.png`) });
    // The browser itself logs the failed model request; nothing else may go wrong.
    expect(problems.filter((p) => !/Failed to load resource: the server responded with a status of 404/.test(p))).toEqual([]);
  });
}

for (const flags of [['csp'], ['csp', 'coi']] as const) {
  test(`works with response headers: ${flags.join(' + ')}`, async ({ page }) => {
    const problems = await openDemo(page, flags);
    await page.evaluate(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    await waitReady(page);
    await expect(page.locator('#days > li[data-rentals]')).toHaveCount(14);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(flags.includes('coi' as never));
    expect(problems).toEqual([]);
  });
}
