import type { BundleInfo, InputField, Warning } from 'featurecast';
import { isWeekend, longDate } from './dates.js';
import { formatCount, formatNumber } from './format.js';
import { NUMBER_FIELDS, type DayInputs, type DayResult, type ForecastDay, type NumberField } from './forecast.js';
import { conditionLabel } from './weather.js';
import { h } from './dom.js';

/**
 * The day-by-day list: per day the prediction, its busyness (colour and words), the actual count
 * when known, and the weather inputs, editable. Inputs are built once per forecast; results are
 * written into the same elements, so typing never loses focus.
 */

/** Display names of the weather inputs, shared with the drift panel. */
export const LABELS: Readonly<Record<NumberField | 'weather', string>> = {
  temperature: 'Temperature',
  feelsLike: 'Feels like',
  humidity: 'Humidity',
  windSpeed: 'Wind',
  weather: 'Condition',
};

function fieldOf(info: BundleInfo, name: string): InputField | undefined {
  return info.inputs.find((f) => f.name === name);
}

function unitOf(info: BundleInfo, name: string): string {
  const field = fieldOf(info, name);
  return field && 'unit' in field && field.unit ? field.unit : '';
}

function numberInput(info: BundleInfo, inputs: DayInputs, prefix: string, name: NumberField, onEdit: () => void): HTMLElement {
  const id = `${prefix}-${name}`;
  const unit = unitOf(info, name);
  const input = h('input', { id, name, type: 'number', step: 'any', inputMode: 'decimal', required: true });
  input.value = inputs[name] === null ? '' : String(inputs[name]);
  input.addEventListener('input', () => {
    inputs[name] = input.value === '' || input.validity.badInput ? null : Number(input.value);
    onEdit();
  });
  const label = h('label', { htmlFor: id }, LABELS[name], unit ? h('span', { className: 'unit' }, ` (${unit})`) : '');
  return h('div', { className: `field field-${name}` }, label, input);
}

function conditionSelect(info: BundleInfo, inputs: DayInputs, prefix: string, onEdit: () => void): HTMLElement {
  const id = `${prefix}-weather`;
  const field = fieldOf(info, 'weather');
  const values = field?.type === 'category' ? field.values : [inputs.weather];
  const select = h('select', { id, name: 'weather' }, ...values.map((v) => h('option', { value: v }, conditionLabel(v))));
  select.value = inputs.weather;
  select.addEventListener('change', () => {
    inputs.weather = select.value;
    onEdit();
  });
  return h('div', { className: 'field field-weather' }, h('label', { htmlFor: id }, LABELS.weather), select);
}

/** Editable weather inputs (ids `<prefix>-temperature`, …) as a fieldset named `legend`; edits write into `inputs`. */
export function weatherFieldset(
  info: BundleInfo,
  inputs: DayInputs,
  prefix: string,
  legend: string,
  onEdit: () => void,
): HTMLFieldSetElement {
  return h(
    'fieldset',
    { className: 'weather' },
    h('legend', { className: 'visually-hidden' }, legend),
    ...NUMBER_FIELDS.map((name) => numberInput(info, inputs, prefix, name, onEdit)),
    conditionSelect(info, inputs, prefix, onEdit),
  );
}

/** The day cards; `onHours(index)` when a card’s "Hours" button is pressed. */
export function renderDays(
  list: HTMLOListElement,
  days: readonly ForecastDay[],
  info: BundleInfo,
  onEdit: () => void,
  onHours?: (index: number) => void,
): void {
  list.replaceChildren(
    ...days.map((day, index) => {
      const [weekdayName, ...rest] = longDate(day.date).split(' ');
      const title = h(
        'h3',
        { id: `d${index}-title`, className: 'day-date' },
        h('span', { className: 'weekday' }, weekdayName ?? ''),
        ' ',
        h('span', { className: 'day-month' }, rest.join(' ')),
      );
      if (isWeekend(day.date)) title.append(' ', h('span', { className: 'tag' }, 'weekend'));
      const result = h('div', { className: 'day-result', id: `d${index}-result` });
      const weather = weatherFieldset(info, day.inputs, `d${index}`, `Weather on ${longDate(day.date)}`, onEdit);
      const hours = onHours
        ? h('button', { type: 'button', className: 'secondary hours-link', ariaLabel: `Hours of ${longDate(day.date)}` }, 'Hours')
        : '';
      if (hours) hours.addEventListener('click', () => onHours!(index));
      const item = h('li', { className: 'day' }, title, result, weather, hours);
      item.dataset.date = day.date;
      item.setAttribute('aria-labelledby', title.id);
      return item;
    }),
  );
}

/** A warning on a prediction in plain words; undefined for ones explained elsewhere on the page. */
export function describeWarning(info: BundleInfo, w: Warning): string | undefined {
  const field = fieldOf(info, w.field);
  if (!field || field.type === 'date' || field.type === 'datetime') return undefined; // dates beyond 2012: explained once, above the list
  const label = LABELS[w.field as NumberField] ?? w.field;
  if (w.kind === 'clipped' && 'range' in field && typeof field.range.min === 'number') {
    const unit = unitOf(info, w.field);
    const { min, max } = field.range as { min: number; max: number };
    const used = Number(w.received) < min ? min : max;
    return `${label} ${formatNumber(Number(w.received))} ${unit} is outside the training weather (${formatNumber(min)} to ${formatNumber(max)} ${unit}); the model used ${formatNumber(used)} ${unit}.`;
  }
  return `${label}: ${w.kind} (${String(w.received)})`;
}

/** "Temperature: 205 °C is outside the possible -60…60 °C — Fahrenheit or Kelvin?": the library's message under the input's label. */
export function describeProblem(problem: string): string {
  // Split at the first ": " only: the library's message may contain one too.
  const at = problem.indexOf(': ');
  const path = at < 0 ? problem : problem.slice(0, at);
  const message = at < 0 ? '' : problem.slice(at + 2);
  const label = path === 'date' ? 'Date' : (LABELS[path as NumberField] ?? path);
  if (message === 'required field is missing') return `${label}: enter a number.`;
  // A message that ends in "?" or "." already has its punctuation.
  return /[.?!]$/.test(message) ? `${label}: ${message}` : `${label}: ${message}.`;
}

export function showResults(list: HTMLOListElement, days: readonly ForecastDay[], results: readonly DayResult[], info: BundleInfo): void {
  days.forEach((day, index) => {
    const item = list.children[index] as HTMLLIElement | undefined;
    const box = item?.querySelector<HTMLElement>('.day-result');
    const result = results[index];
    if (!item || !box || !result) return;
    const actual = day.actual === undefined ? '' : h('p', { className: 'actual' }, 'Actual: ', h('strong', {}, formatCount(day.actual)));
    if (!result.ok) {
      item.dataset.band = 'none';
      delete item.dataset.rentals;
      box.replaceChildren(
        h('p', { className: 'rentals' }, h('span', { className: 'rentals-value' }, '—')),
        h('ul', { className: 'problems' }, ...result.problems.map((p) => h('li', {}, describeProblem(p)))),
        actual,
      );
      return;
    }
    item.dataset.band = String(result.band);
    item.dataset.rentals = String(result.rentals);
    const warnings = result.warnings.map((w) => describeWarning(info, w)).filter((w): w is string => !!w);
    box.replaceChildren(
      h(
        'p',
        { className: 'rentals' },
        h('span', { className: 'rentals-value' }, formatCount(result.rentals)),
        ' ',
        h('span', { className: 'unit' }, 'rentals expected'),
      ),
      h(
        'p',
        { className: `badge band-${result.band}` },
        h('span', { className: 'swatch', ariaHidden: 'true' }),
        `Busyness: ${result.busyness}`,
      ),
      actual,
      warnings.length ? h('ul', { className: 'warnings' }, ...warnings.map((w) => h('li', {}, w))) : '',
    );
  });
}
