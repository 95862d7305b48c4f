import { createPredictor, type Predictor } from 'featurecast';
import { bikeHourly, bikeHourlyTypicalWeather } from 'featurecast/bike-hourly';
import { longDate, shortDate } from './dates.js';
import type { DayResult, ForecastDay } from './forecast.js';
import { formatMs } from './format.js';
import { loadTypicalHours, type TypicalHours } from './hourly-weather.js';
import { dayTotal, makeHours, predictHours, quietestDaylight, type HourSlot } from './ride.js';
import { renderRideChart, renderRideLegend } from './ride-chart.js';
import { renderHours, showHourResults, showRideSummary } from './ride-view.js';
import type { Shift } from './shift.js';
import { sunTimes, daylightHours } from './sun.js';

/**
 * The "when to ride" panel: the bike-hourly model in its own worker (loaded after the daily
 * model, so onnxruntime's wasm comes from the cache), one chosen day of the 14, its 24 hours.
 */

export interface RidePanel {
  /** The forecast's days changed (start, shift or reset): the chosen day's hours start again from typical weather. */
  setDays(days: readonly ForecastDay[], shift: Shift): void;
  /** bike-daily's answers for the days, for the day-total comparison. */
  setDailyResults(results: readonly DayResult[]): void;
  /** Shows day `index` of the forecast. */
  showDay(index: number): void;
  /** Redraws the chart at the container's current width. */
  redraw(): void;
}

interface State {
  predictor: Predictor | undefined;
  table: TypicalHours | undefined;
  days: readonly ForecastDay[];
  shift: Shift | undefined;
  daily: readonly DayResult[];
  index: number;
  hours: HourSlot[];
  results: DayResult[];
  /** Increases per prediction request; only the newest answer is shown. */
  seq: number;
}

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Wires the panel and starts loading the hourly model and its typical weather. */
export function createRidePanel(): RidePanel {
  const state: State = {
    predictor: undefined,
    table: undefined,
    days: [],
    shift: undefined,
    daily: [],
    index: 0,
    hours: [],
    results: [],
    seq: 0,
  };
  const panel = el('ride');
  const select = el<HTMLSelectElement>('ride-day');
  const date = () => state.days[state.index]?.date;

  const rebuild = () => {
    const day = date();
    if (!state.predictor || !state.table || !state.shift || !day) return;
    state.hours = makeHours(day, state.table, state.shift);
    state.results = [];
    renderHours(el('hours'), state.hours, state.predictor.info, longDate(day), () => void predict());
    void predict();
  };

  const show = () => {
    const day = date();
    if (!state.predictor || !day || state.results.length !== 24) return;
    const quiet = quietestDaylight(day, state.results);
    const ok = (h: number) => state.results[h] as Extract<DayResult, { ok: true }>;
    const sun = sunTimes(day);
    const clock = (t: number) => {
      const minutes = Math.round(t * 60);
      return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    };
    const daily = state.daily[state.index];
    showHourResults(el('hours'), state.results, quiet, state.predictor.info);
    showRideSummary(el('ride-summary'), {
      sunrise: clock(sun.sunrise),
      sunset: clock(sun.sunset),
      quiet: quiet.map((hour) => ({ hour, rentals: ok(hour).rentals, busyness: ok(hour).busyness })),
      hourlyTotal: dayTotal(state.results),
      dailyTotal: daily?.ok ? daily.rentals : undefined,
    });
    renderRideChart(
      el('ride-chart'),
      { label: shortDate(day), results: state.results, daylight: daylightHours(day), quiet },
      state.predictor.info,
    );
  };

  const predict = async () => {
    const mine = ++state.seq;
    panel.dataset.requested = String(mine);
    try {
      const { results, ms } = await predictHours(state.predictor!, state.hours);
      if (mine !== state.seq) return;
      state.results = results;
      show();
      el('ride-timing').textContent =
        `24 hours predicted in ${formatMs(ms)} by the hourly model, ${state.predictor!.runtime === 'worker' ? 'in its own Web Worker' : 'on the page'}.`;
      panel.dataset.updates = String(mine);
    } catch (error) {
      if (mine === state.seq) el('ride-timing').textContent = `The hourly prediction failed: ${(error as Error).message}`;
    }
  };

  const setIndex = (index: number) => {
    state.index = Math.max(0, Math.min(index, state.days.length - 1));
    select.value = date() ?? '';
    el('ride-title-day').textContent = date() ? ` on ${longDate(date()!)}` : '';
    rebuild();
  };

  select.addEventListener('change', () => setIndex(state.days.findIndex((d) => d.date === select.value)));
  el('ride-reset').addEventListener('click', rebuild);
  el('ride-status').textContent = 'Loading the hourly model…';
  void load();
  return {
    setDays(days, shift) {
      state.days = days;
      state.shift = shift;
      state.daily = [];
      select.replaceChildren(
        ...days.map((d) => Object.assign(document.createElement('option'), { value: d.date, textContent: longDate(d.date) })),
      );
      setIndex(state.index);
    },
    setDailyResults(results) {
      state.daily = results;
      show();
    },
    showDay: setIndex,
    redraw: show,
  };

  async function load(): Promise<void> {
    panel.dataset.state = 'loading';
    try {
      const tableLoad = loadTypicalHours(bikeHourlyTypicalWeather);
      tableLoad.catch(() => {}); // reported by Promise.all below
      [state.predictor, state.table] = await Promise.all([createPredictor(bikeHourly), tableLoad]);
      renderRideLegend(el('ride-legend'), state.predictor.info);
      el('ride-status').textContent = hourlyNote(state.predictor);
      panel.dataset.state = 'ready';
      rebuild();
    } catch (error) {
      panel.dataset.state = 'error';
      el('ride-status').textContent = `The hourly model could not be loaded: ${(error as Error).message}`;
    }
  }
}

function hourlyNote(predictor: Predictor): string {
  const m = predictor.info.metrics;
  const hourly = m?.holdout;
  const daily = m?.holdoutDaily;
  if (hourly?.mae === undefined) return 'Predictions from the hourly model (bike-hourly).';
  return `From the hourly model (bike-hourly). On ${hourly.rows.toLocaleString('en-US')} hours it did not learn from (${hourly.from} to ${hourly.to}) it was off by ${Math.round(hourly.mae)} rentals an hour on average${daily?.mae === undefined ? '' : `, ${Math.round(daily.mae).toLocaleString('en-US')} a day summed`}.`;
}
