import { binOf } from '../monitor/drift.js';
import type { Histogram, InputField, Reference } from '../schema/manifest.js';

/** Reference statistics for drift monitoring: deciles of each numeric input and of the output, category frequencies. */

const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

export function histogramOf(values: readonly number[]): Histogram {
  const sorted = [...values].sort((a, b) => a - b);
  const cuts = DECILES.map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  const edges = [...new Set(cuts.map((c) => Number(c.toPrecision(6))))];
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) counts[binOf(edges, v)]!++;
  return { edges, freq: counts.map((c) => Number((c / values.length).toFixed(6))) };
}

export function buildReference(fields: readonly InputField[], records: readonly Record<string, unknown>[], outputs: readonly number[]): Reference {
  const result: Reference['fields'] = {};
  for (const field of fields) {
    if (field.type === 'number' || field.type === 'integer') {
      result[field.name] = histogramOf(records.map((r) => Number(r[field.name])));
    } else if (field.type === 'category') {
      const counts = field.values.map((v) => records.filter((r) => r[field.name] === v).length);
      result[field.name] = { values: [...field.values], freq: counts.map((c) => Number((c / records.length).toFixed(6))) };
    }
  }
  return { rows: records.length, fields: result, output: histogramOf(outputs) };
}
