import type { BundleInfo } from 'featurecast';
import { describeProblem, describeWarning, weatherFieldset } from './days-view.js';
import { h } from './dom.js';
import type { DayInputs, DayResult } from './forecast.js';
import { formatCount, formatNumber } from './format.js';
import { hourLabel, type HourSlot } from './ride.js';
import { conditionLabel } from './weather.js';

/**
 * The when-to-ride view's hour list and summary. Each hour shows its prediction and busyness;
 * its weather sits in a disclosure (24 × 5 inputs would bury the numbers on a phone). As in the
 * day list, inputs are built once per day and results written into the same elements.
 */

function weatherSummary(info: BundleInfo, inputs: DayInputs): string {
  const unit = (name: string) => {
    const field = info.inputs.find((f) => f.name === name);
    return field && 'unit' in field && field.unit ? field.unit : '';
  };
  const t = inputs.temperature === null ? '—' : `${formatNumber(inputs.temperature)} ${unit('temperature')}`;
  return `${t}, ${conditionLabel(inputs.weather).toLowerCase()}`;
}

/** One list item per hour, with its editable weather; `onEdit(hour)` after any change. */
export function renderHours(
  list: HTMLOListElement,
  hours: readonly HourSlot[],
  info: BundleInfo,
  longDay: string,
  onEdit: (hour: number) => void,
): void {
  list.replaceChildren(
    ...hours.map((slot) => {
      const label = hourLabel(slot.hour);
      const title = h('h3', { className: 'hour-time', id: `h${slot.hour}-title` }, label);
      const result = h('div', { className: 'hour-result' });
      const summary = h('summary', {}, 'Weather: ', h('span', { className: 'hour-weather' }, weatherSummary(info, slot.inputs)));
      const edit = () => {
        summary.querySelector('.hour-weather')!.textContent = weatherSummary(info, slot.inputs);
        onEdit(slot.hour);
      };
      const details = h(
        'details',
        { className: 'hour-details' },
        summary,
        weatherFieldset(info, slot.inputs, `h${slot.hour}`, `Weather at ${label} on ${longDay}`, edit),
      );
      const item = h('li', { className: 'hour' }, title, result, details);
      item.dataset.hour = String(slot.hour);
      item.setAttribute('aria-labelledby', title.id);
      return item;
    }),
  );
}

/** Writes each hour's prediction (or its problems) into the list; marks the quiet picks. */
export function showHourResults(list: HTMLOListElement, results: readonly DayResult[], quiet: readonly number[], info: BundleInfo): void {
  results.forEach((result, hour) => {
    const item = list.children[hour] as HTMLLIElement | undefined;
    const box = item?.querySelector<HTMLElement>('.hour-result');
    if (!item || !box) return;
    if (!result.ok) {
      item.dataset.band = 'none';
      delete item.dataset.rentals;
      box.replaceChildren(
        h('span', { className: 'hour-value' }, '—'),
        h('ul', { className: 'problems' }, ...result.problems.map((p) => h('li', {}, describeProblem(p)))),
      );
      return;
    }
    item.dataset.band = String(result.band);
    item.dataset.rentals = String(result.rentals);
    const warnings = result.warnings.map((w) => describeWarning(info, w)).filter((w): w is string => !!w);
    box.replaceChildren(
      h('span', { className: 'hour-value' }, formatCount(result.rentals)),
      h('span', { className: `badge band-${result.band}` }, h('span', { className: 'swatch', ariaHidden: 'true' }), result.busyness),
      quiet.includes(hour) ? h('span', { className: 'tag quiet-tag' }, 'quiet daylight hour') : '',
      warnings.length ? h('ul', { className: 'warnings' }, ...warnings.map((w) => h('li', {}, w))) : '',
    );
  });
}

/** What the summary shows: the quiet picks and both models' totals for the day. */
export interface RideSummary {
  sunrise: string;
  sunset: string;
  quiet: ReadonlyArray<{ hour: number; rentals: number; busyness: string }>;
  /** Sum of the 24 hourly predictions; undefined while an hour has bad inputs. */
  hourlyTotal: number | undefined;
  /** bike-daily's prediction for the same day, with the day list's weather. */
  dailyTotal: number | undefined;
}

/** Renders the summary into `box`: quietest daylight hours, then the day's total from each model. */
export function showRideSummary(box: HTMLElement, summary: RideSummary): void {
  const picks = summary.quiet.map((q) => h('li', {}, h('strong', {}, hourLabel(q.hour)), ` ${formatCount(q.rentals)} (${q.busyness})`));
  const quiet = picks.length
    ? h(
        'div',
        { id: 'ride-quiet', className: 'ride-quiet' },
        h('p', {}, `Quietest daylight hours (sunrise ${summary.sunrise}, sunset ${summary.sunset}):`),
        h('ul', {}, ...picks),
      )
    : h('p', { id: 'ride-quiet', className: 'ride-quiet' }, 'No daylight hour has a prediction yet.');
  const total = (id: string, label: string, value: number | undefined, note: string) => {
    const figure = h(
      'p',
      { id, className: 'ride-total' },
      h('span', { className: 'ride-total-label' }, label),
      h('strong', { className: 'ride-total-value' }, value === undefined ? '—' : formatCount(value)),
      h('span', { className: 'small' }, note),
    );
    if (value !== undefined) figure.dataset.rentals = String(value);
    return figure;
  };
  box.replaceChildren(
    quiet,
    h(
      'div',
      { className: 'ride-totals' },
      total('ride-hourly-total', 'Whole day, hourly model', summary.hourlyTotal, 'the sum of the 24 hours below'),
      total('ride-daily-total', 'Whole day, daily model', summary.dailyTotal, 'bike-daily, with the day list’s weather'),
    ),
  );
}
