import type { BundleInfo } from 'featurecast';
import { shortDate, weekday } from './dates.js';
import { s } from './dom.js';
import { formatCount } from './format.js';
import type { DayResult, ForecastDay } from './forecast.js';

/**
 * The 14-day chart as plain SVG, drawn at the container's real pixel width so text stays
 * legible from 320 px up: busyness bands as tinted backgrounds (ticks at their thresholds),
 * a bar per predicted day, a diamond for the actual count when it is known.
 */

function niceCeil(x: number): number {
  const step = x > 5000 ? 1000 : x > 1000 ? 500 : 100;
  return Math.ceil(x / step) * step;
}

export function renderChart(container: HTMLElement, days: readonly ForecastDay[], results: readonly DayResult[], info: BundleInfo): void {
  const width = Math.max(280, container.clientWidth || 640);
  const narrow = width < 560;
  const height = narrow ? 240 : 300;
  const m = { top: 12, right: 8, bottom: 40, left: narrow ? 40 : 52 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const thresholds = info.output.bands?.thresholds ?? [];
  const values = results.flatMap((r) => (r.ok ? [r.rentals] : []));
  const actuals = days.flatMap((d) => (d.actual === undefined ? [] : [d.actual]));
  const top = niceCeil(Math.max(1, ...values, ...actuals, (thresholds[thresholds.length - 1] ?? 0) * 1.15) * 1.05);
  const y = (v: number) => m.top + plotH - (v / top) * plotH;
  const step = plotW / days.length;
  const x = (i: number) => m.left + i * step;

  const svg = s('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-labelledby': 'chart-desc',
    class: 'chart-svg',
  });
  svg.append(s('desc', { id: 'chart-desc' }, describe(days, results)));

  // Bands, bottom to top, with a tick at each threshold.
  const edges = [0, ...thresholds, top];
  for (let b = 0; b < edges.length - 1; b++) {
    const lo = edges[b]!;
    const hi = Math.min(edges[b + 1]!, top);
    if (hi <= lo) continue;
    svg.append(s('rect', { x: m.left, y: y(hi), width: plotW, height: y(lo) - y(hi), class: `band band-${b}` }));
  }
  for (const v of [0, ...thresholds]) {
    svg.append(s('line', { x1: m.left - 4, x2: m.left + plotW, y1: y(v), y2: y(v), class: 'tick-line' }));
    const label = v === 0 ? '0' : narrow ? `${(v / 1000).toFixed(1)}k` : formatCount(v);
    svg.append(s('text', { x: m.left - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, label));
  }

  days.forEach((day, i) => {
    const r = results[i];
    const cx = x(i) + step / 2;
    const group = s('g', { class: 'day-mark' });
    const tip = [`${shortDate(day.date)}:`];
    if (r?.ok) {
      const barW = Math.max(4, step * 0.56);
      group.append(
        s('rect', { x: cx - barW / 2, y: y(r.rentals), width: barW, height: Math.max(0, y(0) - y(r.rentals)), rx: 2, class: 'bar' }),
      );
      tip.push(`${formatCount(r.rentals)} expected (${r.busyness})`);
    } else {
      group.append(s('text', { x: cx, y: y(0) - 6, 'text-anchor': 'middle', class: 'tick' }, '?'));
      tip.push('no prediction (check the inputs)');
    }
    if (day.actual !== undefined) {
      const d = narrow ? 5 : 6;
      const ay = y(day.actual);
      group.append(s('path', { d: `M${cx} ${ay - d}L${cx + d} ${ay}L${cx} ${ay + d}L${cx - d} ${ay}Z`, class: 'actual-mark' }));
      tip.push(`actual ${formatCount(day.actual)}`);
    }
    group.append(s('title', {}, tip.join(' ')));
    // Under 30 px a day, "Sat" would run into "Sun": one letter, the day number below tells them apart.
    const name = step < 30 ? weekday(day.date).slice(0, 1) : weekday(day.date);
    group.append(s('text', { x: cx, y: height - m.bottom + 16, 'text-anchor': 'middle', class: 'tick' }, name));
    group.append(
      s('text', { x: cx, y: height - m.bottom + 31, 'text-anchor': 'middle', class: 'tick tick-day' }, day.date.slice(8).replace(/^0/, '')),
    );
    svg.append(group);
  });
  container.replaceChildren(svg);
}

function describe(days: readonly ForecastDay[], results: readonly DayResult[]): string {
  const ok = days.flatMap((d, i) => {
    const r = results[i];
    return r?.ok ? [{ date: d.date, r }] : [];
  });
  if (!ok.length) return 'Chart of expected rentals: no predictions yet.';
  const max = ok.reduce((a, b) => (b.r.rentals > a.r.rentals ? b : a));
  const min = ok.reduce((a, b) => (b.r.rentals < a.r.rentals ? b : a));
  return `Bar chart of expected rentals for ${days.length} days from ${shortDate(days[0]!.date)}: highest ${formatCount(max.r.rentals)} on ${shortDate(max.date)} (${max.r.busyness}), lowest ${formatCount(min.r.rentals)} on ${shortDate(min.date)} (${min.r.busyness}).`;
}

/** The legend: one entry per busyness level with its range, plus the actual-count marker. */
export function renderLegend(list: HTMLElement, info: BundleInfo, hasActuals: boolean): void {
  const bands = info.output.bands;
  const items: HTMLLIElement[] = [];
  bands?.labels.forEach((label, b) => {
    const lo = bands.thresholds[b - 1];
    const hi = bands.thresholds[b];
    const range =
      lo === undefined
        ? `under ${formatCount(hi ?? 0)}`
        : hi === undefined
          ? `${formatCount(lo)} or more`
          : `${formatCount(lo)}–${formatCount(hi)}`;
    const li = document.createElement('li');
    li.innerHTML = `<span class="swatch band-${b}" aria-hidden="true"></span>`;
    li.append(`${label[0]!.toUpperCase()}${label.slice(1)}: ${range}`);
    items.push(li);
  });
  const bar = document.createElement('li');
  bar.innerHTML = '<span class="swatch bar-swatch" aria-hidden="true"></span>Expected rentals';
  items.push(bar);
  if (hasActuals) {
    const li = document.createElement('li');
    li.innerHTML = '<span class="swatch actual-swatch" aria-hidden="true"></span>Actual rentals';
    items.push(li);
  }
  list.replaceChildren(...items);
}
