import { binOf } from '../monitor/drift.js';
import type { Categorical, Histogram, InputField, Reference } from '../schema/manifest.js';
import type { FieldValue } from '../schema/record.js';
import type { CivilDate } from '../features/calendar.js';

/**
 * Reference statistics for drift monitoring: deciles of each numeric input and of the output,
 * category frequencies, each overall and, when the data has a date, per calendar month of it
 * (weather is seasonal; the monitor compares traffic with the training months it falls in).
 */

const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

const share = (count: number, total: number) => (total ? Number((count / total).toFixed(6)) : 0);

/** Frequencies of bin indices (−1: in no bin), overall and, given months (1–12 per row), per month. */
function frequencies(bins: readonly number[], size: number, months: readonly number[] | null): Pick<Histogram, 'freq' | 'byMonth'> {
  const counts = new Array<number>(size).fill(0);
  const monthly = Array.from({ length: 12 }, () => new Array<number>(size).fill(0));
  let binned = 0;
  bins.forEach((b, i) => {
    if (b < 0) return;
    binned++;
    counts[b]!++;
    if (months) monthly[months[i]! - 1]![b]!++;
  });
  const total = (row: number[]) => row.reduce((a, c) => a + c, 0);
  const freq = counts.map((c) => share(c, binned));
  return months ? { freq, byMonth: monthly.map((row) => row.map((c) => share(c, total(row)))) } : { freq };
}

/** Decile bins of `values` (NaN, a missing value, counts in none). */
export function histogramOf(values: readonly number[], months: readonly number[] | null): Histogram {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const cuts = sorted.length ? DECILES.map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!) : [];
  const edges = [...new Set(cuts.map((c) => Number(c.toPrecision(6))))];
  return {
    edges,
    ...frequencies(
      values.map((v) => (Number.isNaN(v) ? -1 : binOf(edges, v))),
      edges.length + 1,
      months,
    ),
  };
}

function categoricalOf(values: readonly FieldValue[], labels: readonly string[], months: readonly number[] | null): Categorical {
  return {
    values: [...labels],
    ...frequencies(
      values.map((v) => (typeof v === 'string' ? labels.indexOf(v) : -1)),
      labels.length,
      months,
    ),
  };
}

/** The month (1–12) of each row's value of a date or date-time input. */
export function monthsOf(values: readonly FieldValue[]): number[] {
  return values.map((v) => (v as CivilDate).month);
}

/** Reference of the inputs, from each input's validated values on the training rows. */
export function inputReference(
  fields: readonly InputField[],
  valuesOf: (name: string) => readonly FieldValue[],
  rows: number,
  monthsFrom: string | undefined,
): Reference {
  const months = monthsFrom === undefined ? null : monthsOf(valuesOf(monthsFrom));
  const result: Reference['fields'] = {};
  for (const field of fields) {
    if (field.type === 'number' || field.type === 'integer') result[field.name] = histogramOf(valuesOf(field.name) as number[], months);
    else if (field.type === 'category') result[field.name] = categoricalOf(valuesOf(field.name), field.values, months);
  }
  return { rows, fields: result, ...(monthsFrom === undefined ? {} : { monthsOf: monthsFrom }) };
}
