import { createPredictor, type Predictor } from 'featurecast';
import { bikeDaily, bikeDailyTypicalWeather } from 'featurecast/bike-daily';
import { actuals } from 'virtual:bike-actuals';
import { renderChart, renderLegend } from './chart.js';
import { addDays, isIsoDate, todayIso } from './dates.js';
import { renderDays, showResults } from './days-view.js';
import { checkDrift, loadDriftSample, serialQueue, type DriftSample } from './drift.js';
import { showDrift, showDriftChecking, showDriftFailed } from './drift-view.js';
import { formatMs } from './format.js';
import { makeForecast, predictDays, type DayResult, type ForecastDay } from './forecast.js';
import { renderModelCard } from './model-card.js';
import { NO_SHIFT, renderShiftControl, type Shift } from './shift.js';
import { createRidePanel, type RidePanel } from './ride-panel.js';
import { onModelProgress, showApp, showError } from './status.js';
import { loadTypicalWeather, type TypicalWeather } from './weather.js';

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface Page {
  predictor: Predictor;
  weather: TypicalWeather;
  days: ForecastDay[];
  results: DayResult[];
  /** Increases per prediction request; only the newest answer is shown. */
  seq: number;
  /** The visitor's weather shift, on the forecast days and on the drift sample. */
  shift: Shift;
  /** Loaded on first use (a separate chunk: the training years' daily weather). */
  sample: Promise<DriftSample> | undefined;
  /** Increases per drift check; only the newest is shown. */
  driftSeq: number;
  /** Worker calls that must not interleave: a drift check resets and reads the monitor. */
  queue: ReturnType<typeof serialQueue>;
  /** The when-to-ride panel (the hourly model); created once the daily model is ready. */
  ride: RidePanel | undefined;
}

async function boot(): Promise<void> {
  document.body.dataset.state = 'loading';
  const started = performance.now();
  const weatherLoad = loadTypicalWeather(bikeDailyTypicalWeather);
  weatherLoad.catch(() => {}); // reported by Promise.all below, not as an unhandled rejection
  const [predictor, weather] = await Promise.all([createPredictor(bikeDaily, { onProgress: onModelProgress }), weatherLoad]);
  const loadMs = performance.now() - started;
  const page: Page = {
    predictor,
    weather,
    days: [],
    results: [],
    seq: 0,
    shift: NO_SHIFT,
    sample: undefined,
    driftSeq: 0,
    queue: serialQueue(),
    ride: undefined,
  };
  renderModelCard(el('model-card'), predictor.info, predictor.runtime, weather.source);
  wireControls(page);
  showApp();
  setStart(page, todayIso());
  await predictNow(page);
  el('load-time').textContent = `Model ready in ${formatMs(loadMs)}.`;
  document.body.dataset.state = 'ready';
  // Only now the hourly model: it does not compete with the first forecast.
  page.ride = createRidePanel();
  page.ride.setDays(page.days, page.shift);
  page.ride.setDailyResults(page.results);
  watchChartWidth(page);
  await checkDriftNow(page);
}

function wireControls(page: Page): void {
  const start = el<HTMLInputElement>('start-date');
  start.addEventListener('change', () => {
    if (isIsoDate(start.value)) {
      setStart(page, start.value);
      void predictNow(page);
    }
  });
  el('today').addEventListener('click', () => {
    setStart(page, todayIso());
    void predictNow(page);
  });
  const sample = el<HTMLButtonElement>('sample');
  const { metrics, training } = page.predictor.info;
  const sampleStart = metrics?.holdout?.from ?? (training.to ? addDays(training.to, -30) : undefined);
  if (!sampleStart) sample.hidden = true;
  else {
    const inData = actuals[sampleStart] !== undefined;
    const month = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
      new Date(`${sampleStart}T00:00:00Z`),
    );
    sample.textContent = `Try ${month}${inData ? ' (with real counts)' : ''}`;
    sample.addEventListener('click', () => {
      setStart(page, sampleStart);
      void predictNow(page);
    });
  }
  renderShiftControl(el('shift'), (shift) => {
    page.shift = shift;
    setStart(page, page.days[0]?.date ?? todayIso());
    void predictNow(page);
    void checkDriftNow(page);
  });
  el('reset-weather').addEventListener('click', () => {
    setStart(page, page.days[0]?.date ?? todayIso());
    void predictNow(page);
  });
}

function setStart(page: Page, date: string): void {
  el<HTMLInputElement>('start-date').value = date;
  page.days = makeForecast(date, page.weather, actuals, page.shift);
  page.results = [];
  renderDays(
    el('days'),
    page.days,
    page.predictor.info,
    () => void predictNow(page),
    (index) => showHours(page, index),
  );
  page.ride?.setDays(page.days, page.shift);
  renderLegend(
    el('legend'),
    page.predictor.info,
    page.days.some((d) => d.actual !== undefined),
  );
  el('period-note').textContent = periodNote(page);
  const shifted = page.shift !== NO_SHIFT;
  el('shift-note').textContent = shifted ? ` Weather shift: ${page.shift.label}, added to every day.` : '';
  el('reset-weather').textContent = shifted ? `Reset all weather to typical (${page.shift.label})` : 'Reset all weather to typical';
}

async function predictNow(page: Page): Promise<void> {
  const mine = ++page.seq;
  el('app').dataset.requested = String(mine);
  try {
    const { results, ms } = await page.queue(() => predictDays(page.predictor, page.days));
    if (mine !== page.seq) return;
    page.results = results;
    showResults(el('days'), page.days, results, page.predictor.info);
    renderChart(el('chart'), page.days, results, page.predictor.info);
    page.ride?.setDailyResults(results);
    const where = page.predictor.runtime === 'worker' ? 'in a Web Worker' : 'on the page';
    el('timing').textContent = `${page.days.length} days predicted in ${formatMs(ms)} on this device, ${where}: no server involved.`;
    el('app').dataset.updates = String(mine);
  } catch (error) {
    if (mine !== page.seq) return;
    el('timing').textContent = `The prediction failed: ${(error as Error).message}`;
  }
}

/** Runs the drift sample with the current shift through the model and shows the monitor's verdict. */
async function checkDriftNow(page: Page): Promise<void> {
  const mine = ++page.driftSeq;
  const shift = page.shift;
  showDriftChecking(shift);
  try {
    page.sample ??= loadDriftSample(page.weather);
    const sample = await page.sample;
    const snapshot = await page.queue(() => checkDrift(page.predictor, sample, shift));
    if (mine === page.driftSeq) showDrift(snapshot, sample, shift);
  } catch (error) {
    page.sample = undefined; // try the download again next time
    if (mine === page.driftSeq) showDriftFailed(error);
  }
}

/** A day card’s "Hours" button: that day in the when-to-ride panel, scrolled to. */
function showHours(page: Page, index: number): void {
  page.ride?.showDay(index);
  el('ride').scrollIntoView({ block: 'start' });
  el('ride-day').focus({ preventScroll: true });
}

function periodNote(page: Page): string {
  const { training } = page.predictor.info;
  const first = page.days[0]?.date ?? '';
  const last = page.days[page.days.length - 1]?.date ?? '';
  const withActuals = page.days.some((d) => d.actual !== undefined) ? ' Actual rentals are shown beside each prediction.' : '';
  if (training.to && first > training.to) {
    return `These days are after the training data, which ends ${training.to}: the model assumes demand stayed at its ${training.to.slice(0, 4)} level.`;
  }
  if (training.to && last > training.to)
    return `The training data ends ${training.to}: later days assume demand stayed at its ${training.to.slice(0, 4)} level.${withActuals}`;
  if (training.from && last < training.from) return `These days are before the training data, which starts ${training.from}.`;
  return `These days fall within the training data (${training.from ?? '?'} to ${training.to ?? '?'}), so the model has seen days like them.${withActuals}`;
}

/** Redraws the chart at its new pixel width (phone rotation, window resize). */
function watchChartWidth(page: Page): void {
  const chart = el('chart');
  let width = chart.clientWidth;
  let queued = false;
  new ResizeObserver(() => {
    if (queued || chart.clientWidth === width) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      width = chart.clientWidth;
      if (page.results.length) renderChart(chart, page.days, page.results, page.predictor.info);
      page.ride?.redraw();
    });
  }).observe(chart);
}

boot().catch((error: unknown) => {
  document.body.dataset.state = 'error';
  showError(error);
});
