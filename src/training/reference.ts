import { binOf } from '../monitor/drift.js';
import type { Categorical, Histogram, InputField, Reference } from '../schema/manifest.js';

/**
 * Reference statistics for drift monitoring: deciles of each numeric input and of the output,
 * category frequencies, each overall and per calendar month of the record's date (weather is
 * seasonal; the monitor compares traffic with the training months it falls in).
 */

const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

const share = (count: number, total: number) => (total ? Number((count / total).toFixed(6)) : 0);

/** Frequencies of bin indices, overall and per month (months[i] is 1–12). */
function frequencies(bins: readonly number[], size: number, months: readonly number[]): Pick<Histogram, 'freq' | 'byMonth'> {
  const counts = new Array<number>(size).fill(0);
  const monthly = Array.from({ length: 12 }, () => new Array<number>(size).fill(0));
  bins.forEach((b, i) => {
    counts[b]!++;
    monthly[months[i]! - 1]![b]!++;
  });
  const total = (row: number[]) => row.reduce((a, c) => a + c, 0);
  return { freq: counts.map((c) => share(c, bins.length)), byMonth: monthly.map((row) => row.map((c) => share(c, total(row)))) };
}

export function histogramOf(values: readonly number[], months: readonly number[]): Histogram {
  const sorted = [...values].sort((a, b) => a - b);
  const cuts = DECILES.map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  const edges = [...new Set(cuts.map((c) => Number(c.toPrecision(6))))];
  return { edges, ...frequencies(values.map((v) => binOf(edges, v)), edges.length + 1, months) };
}

function categoricalOf(values: readonly string[], labels: readonly string[], months: readonly number[]): Categorical {
  return { values: [...labels], ...frequencies(values.map((v) => labels.indexOf(v)), labels.length, months) };
}

/** `dateField` names the record's date (YYYY-MM-DD), whose month keys the seasonal frequencies. */
export function buildReference(
  fields: readonly InputField[],
  records: readonly Record<string, unknown>[],
  outputs: readonly number[],
  dateField: string,
): Reference {
  const months = records.map((r) => Number(String(r[dateField]).slice(5, 7)));
  const result: Reference['fields'] = {};
  for (const field of fields) {
    if (field.type === 'number' || field.type === 'integer') {
      result[field.name] = histogramOf(records.map((r) => Number(r[field.name])), months);
    } else if (field.type === 'category') {
      result[field.name] = categoricalOf(records.map((r) => String(r[field.name])), field.values, months);
    }
  }
  return { rows: records.length, fields: result, output: histogramOf(outputs, months) };
}
