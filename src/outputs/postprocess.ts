import { BundleError, type ValidationIssue } from '../errors.js';
import type { InputField, Postprocess } from '../schema/manifest.js';
import type { FieldValue, Warning } from '../schema/record.js';
import type { CivilDate } from '../features/calendar.js';

/**
 * Raw model output → published outputs: inverse target transform, demand level, clamp, bands.
 * Results travel as columns (typed arrays, transferable) and become objects only at the end,
 * on the caller's side, in `toPredictions`.
 */

/** Columnar answer for a batch; what crosses the worker boundary. */
export interface BatchColumns {
  values: Float64Array;
  /** Band index per record, or null when the manifest defines no bands. */
  bands: Uint8Array | null;
  warnings: Warning[];
  issues: ValidationIssue[];
  rejected: Uint8Array | null;
}

/** One prediction: the manifest's output name (e.g. `rentals`) and band name (e.g. `busyness`), plus `warnings` when an input was clipped, extrapolated or defaulted. */
export interface Prediction {
  [output: string]: number | string | Warning[] | undefined;
  warnings?: Warning[];
}

/** In `invalid: 'report'` mode, a rejected record's place in the batch holds this instead of a prediction. */
export interface RejectedRecord {
  error: { code: 'ERR_VALIDATION'; issues: ValidationIssue[] };
}

/** True for the `{ error }` placeholder of a rejected record in `invalid: 'report'` results. */
export function isRejected(item: Prediction | RejectedRecord): item is RejectedRecord {
  return typeof (item as RejectedRecord).error === 'object' && (item as RejectedRecord).error !== null;
}

export interface OutputStage {
  /** Per-record multiplicative level, from the validated field values. */
  levelOf(values: readonly FieldValue[]): number;
  /** Fills `values` and `bands` from raw model outputs and per-record levels. */
  finish(raw: Float32Array, levels: Float64Array, values: Float64Array, bands: Uint8Array | null): void;
}

export function compileOutput(spec: Postprocess, fields: readonly InputField[]): OutputStage {
  const inverse = spec.inverse === 'exp' ? Math.exp : (x: number) => x;
  const clampMin = spec.clampMin ?? -Infinity;
  const thresholds = spec.bands?.thresholds ?? [];
  let levelOf: OutputStage['levelOf'] = () => 1;
  if (spec.level) {
    const k = fields.findIndex((f) => f.name === spec.level!.input && f.type === 'date');
    if (k < 0) throw new BundleError('ERR_BUNDLE_INVALID', `Output level needs a date input "${spec.level.input}"`);
    const years = Object.keys(spec.level.byYear).map(Number).sort((a, b) => a - b);
    if (!years.length) throw new BundleError('ERR_BUNDLE_INVALID', 'Output level has no years');
    const byYear = new Map(years.map((y) => [y, spec.level!.byYear[String(y)]!]));
    const first = years[0]!;
    const last = years[years.length - 1]!;
    // Years beyond the training data keep the nearest known level: the model cannot know later growth.
    levelOf = (values) => {
      const year = (values[k] as CivilDate).year;
      return byYear.get(year < first ? first : year > last ? last : year) ?? 1;
    };
  }
  return {
    levelOf,
    finish(raw, levels, values, bands) {
      for (let i = 0; i < raw.length; i++) {
        const v = inverse(raw[i]!) * levels[i]!;
        values[i] = v < clampMin ? clampMin : v;
        if (bands) {
          let b = 0;
          while (b < thresholds.length && values[i]! >= thresholds[b]!) b++;
          bands[i] = b;
        }
      }
    },
  };
}

/**
 * Turns columnar results into one object per record, in input order. Building 100,000 objects
 * takes tens of milliseconds, so on a page's main thread it yields every `yieldEvery` records.
 */
export async function toPredictions(columns: BatchColumns, spec: Postprocess, yieldEvery = Infinity): Promise<Array<Prediction | RejectedRecord>> {
  const { values, bands, rejected } = columns;
  const labels = spec.bands?.labels;
  const bandName = spec.bands?.name;
  const warningsAt = groupByIndex(columns.warnings);
  const issuesAt = rejected ? groupByIndex(columns.issues) : undefined;
  const out = new Array<Prediction | RejectedRecord>(values.length);
  for (let i = 0; i < values.length; i++) {
    if (i > 0 && i % yieldEvery === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    if (rejected?.[i]) {
      out[i] = { error: { code: 'ERR_VALIDATION', issues: issuesAt?.get(i) ?? [] } };
      continue;
    }
    const p: Prediction = { [spec.name]: values[i]! };
    if (bands && labels && bandName) p[bandName] = labels[bands[i]!]!;
    const w = warningsAt?.get(i);
    if (w) p.warnings = w;
    out[i] = p;
  }
  return out;
}

function groupByIndex<T extends { index: number }>(items: readonly T[]): Map<number, T[]> | undefined {
  if (!items.length) return undefined;
  const map = new Map<number, T[]>();
  for (const item of items) {
    const list = map.get(item.index);
    if (list) list.push(item);
    else map.set(item.index, [item]);
  }
  return map;
}
