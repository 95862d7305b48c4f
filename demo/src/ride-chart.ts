import type { BundleInfo } from 'featurecast';
import type { DayResult } from './forecast.js';
import { s } from './dom.js';
import { formatCount } from './format.js';
import { hourLabel } from './ride.js';

/**
 * One day's 24 hours as plain SVG, drawn at the container's pixel width: a bar per hour filled
 * with its busyness colour (and named in its tooltip and the list below, never colour alone),
 * night hours shaded, the quietest daylight hours marked with a dot above their bars.
 */

function niceCeil(x: number): number {
  const step = x > 1000 ? 200 : x > 400 ? 100 : 50;
  return Math.ceil(x / step) * step;
}

/** What the chart draws: the day's label, its 24 results, its daylight hours and quiet picks. */
export interface RideChartDay {
  label: string;
  results: readonly DayResult[];
  daylight: readonly number[];
  quiet: readonly number[];
}

/** Draws the day's hours into `container`, replacing what was there. */
export function renderRideChart(container: HTMLElement, day: RideChartDay, info: BundleInfo): void {
  const width = Math.max(280, container.clientWidth || 640);
  const narrow = width < 560;
  const height = narrow ? 220 : 260;
  const m = { top: 16, right: 6, bottom: 26, left: narrow ? 34 : 44 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const thresholds = info.output.bands?.thresholds ?? [];
  const values = day.results.flatMap((r) => (r.ok ? [r.rentals] : []));
  const top = niceCeil(Math.max(1, ...values, (thresholds[thresholds.length - 1] ?? 0) * 1.1) * 1.08);
  const y = (v: number) => m.top + plotH - (v / top) * plotH;
  const step = plotW / 24;
  const x = (h: number) => m.left + h * step;

  const svg = s('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-labelledby': 'ride-chart-desc',
    class: 'chart-svg ride-svg',
  });
  svg.append(s('desc', { id: 'ride-chart-desc' }, describe(day)));
  const light = new Set(day.daylight);
  for (let h = 0; h < 24; h++) if (!light.has(h)) svg.append(s('rect', { x: x(h), y: m.top, width: step, height: plotH, class: 'night' }));
  let labelled = Infinity;
  for (const v of [0, ...thresholds]) {
    svg.append(s('line', { x1: m.left - 4, x2: m.left + plotW, y1: y(v), y2: y(v), class: 'tick-line' }));
    // A label closer than a line of text to the one below would overlap it: the gridline stays.
    if (labelled - y(v) < 12) continue;
    svg.append(s('text', { x: m.left - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, formatCount(v)));
    labelled = y(v);
  }
  svg.append(s('text', { x: m.left + 4, y: m.top + 2, class: 'tick', 'dominant-baseline': 'hanging' }, 'rentals per hour'));
  const quiet = new Set(day.quiet);
  day.results.forEach((r, h) => {
    const cx = x(h) + step / 2;
    const group = s('g', { class: 'hour-mark' });
    if (r.ok) {
      const barW = Math.max(3, step * 0.72);
      group.append(
        s('rect', {
          x: cx - barW / 2,
          y: y(r.rentals),
          width: barW,
          height: Math.max(0, y(0) - y(r.rentals)),
          rx: 1.5,
          class: `hour-bar band-${r.band}`,
        }),
      );
      if (quiet.has(h)) group.append(s('circle', { cx, cy: y(r.rentals) - 7, r: narrow ? 3.5 : 4, class: 'quiet-mark' }));
      group.append(
        s(
          'title',
          {},
          `${hourLabel(h)}: ${formatCount(r.rentals)} expected (${r.busyness})${quiet.has(h) ? ', a quiet daylight hour' : ''}`,
        ),
      );
    } else {
      group.append(s('text', { x: cx, y: y(0) - 6, 'text-anchor': 'middle', class: 'tick' }, '?'));
      group.append(s('title', {}, `${hourLabel(h)}: no prediction (check the inputs)`));
    }
    // Every 3rd hour on a phone, every 2nd otherwise: "06" labels need ~18 px.
    if (h % (narrow ? 3 : 2) === 0)
      group.append(s('text', { x: cx, y: height - m.bottom + 16, 'text-anchor': 'middle', class: 'tick' }, String(h).padStart(2, '0')));
    svg.append(group);
  });
  container.replaceChildren(svg);
}

function describe(day: RideChartDay): string {
  const ok = day.results.flatMap((r, h) => (r.ok ? [{ h, r }] : []));
  if (!ok.length) return `Bar chart of expected rentals per hour on ${day.label}: no predictions yet.`;
  const max = ok.reduce((a, b) => (b.r.rentals > a.r.rentals ? b : a));
  const quiet = day.quiet.map(hourLabel).join(', ');
  return `Bar chart of expected rentals per hour on ${day.label}: busiest ${hourLabel(max.h)} (${formatCount(max.r.rentals)}, ${max.r.busyness})${quiet ? `; quietest daylight hours ${quiet}` : ''}.`;
}

/** The legend: each busyness level with its range per hour, the night shading and the quiet-hour dot. */
export function renderRideLegend(list: HTMLElement, info: BundleInfo): void {
  const bands = info.output.bands;
  const item = (swatch: string, text: string) => {
    const li = document.createElement('li');
    li.innerHTML = `<span class="swatch ${swatch}" aria-hidden="true"></span>`;
    li.append(text);
    return li;
  };
  const items = (bands?.labels ?? []).map((label, b) => {
    const lo = bands!.thresholds[b - 1];
    const hi = bands!.thresholds[b];
    const range =
      lo === undefined
        ? `under ${formatCount(hi ?? 0)}`
        : hi === undefined
          ? `${formatCount(lo)} or more`
          : `${formatCount(lo)}–${formatCount(hi)}`;
    return item(`hour-swatch band-${b}`, `${label[0]!.toUpperCase()}${label.slice(1)}: ${range} an hour`);
  });
  items.push(item('night-swatch', 'Before sunrise or after sunset'), item('quiet-swatch', 'Quietest daylight hours'));
  list.replaceChildren(...items);
}
