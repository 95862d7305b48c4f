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
  /** In record order (by `index`), as validation produces them. */
  warnings: Warning[];
  /** In record order (by `index`), as validation produces them. */
  issues: ValidationIssue[];
  rejected: Uint8Array | null;
  /** Classifiers: each record's class probabilities, row-major `[N, labels.length]` (then `values` holds the class index). */
  probabilities: Float32Array | null;
}

/**
 * One prediction: the manifest's output name (e.g. `rentals`) and band name (e.g. `busyness`); for
 * a classifier the label (e.g. `busy: 'yes'`) and `probabilities` by label; plus `warnings` when
 * an input was clipped, extrapolated or defaulted.
 */
export interface Prediction {
  [output: string]: number | string | Warning[] | Record<string, number> | undefined;
  probabilities?: Record<string, number>;
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
  /** Model output columns per record: 1, or the number of classes. */
  readonly width: number;
  /** Per-record multiplicative level, from the validated field values. */
  levelOf(values: readonly FieldValue[]): number;
  /** Fills `values` and `bands` from raw model outputs and per-record levels (for a classifier: the class index of the most probable label). */
  finish(raw: Float32Array, levels: Float64Array, values: Float64Array, bands: Uint8Array | null): void;
}

export function compileOutput(spec: Postprocess, fields: readonly InputField[]): OutputStage {
  if (spec.kind === 'classification') return classifierOutput(spec.labels!.length);
  const inverse = spec.inverse === 'exp' ? Math.exp : spec.inverse === 'expm1' ? Math.expm1 : (x: number) => x;
  const clampMin = spec.clampMin ?? -Infinity;
  const thresholds = spec.bands?.thresholds ?? [];
  let levelOf: OutputStage['levelOf'] = () => 1;
  if (spec.level) {
    // A date-time's civil year is its local year, as the level was fitted (hourly models).
    const k = fields.findIndex((f) => f.name === spec.level!.input && (f.type === 'date' || f.type === 'datetime'));
    if (k < 0) throw new BundleError('ERR_BUNDLE_INVALID', `Output level needs a date or datetime input "${spec.level.input}"`);
    const years = Object.keys(spec.level.byYear)
      .map(Number)
      .sort((a, b) => a - b);
    if (!years.length) throw new BundleError('ERR_BUNDLE_INVALID', 'Output level has no years');
    const byYear = new Map(years.map((y) => [y, spec.level!.byYear[String(y)]!]));
    const first = years[0]!;
    const last = years[years.length - 1]!;
    // Years beyond the training data keep the nearest known level: the model cannot know later growth.
    levelOf = (values) => {
      const year = (values[k] as CivilDate).year;
      return byYear.get(Math.min(Math.max(year, first), last)) ?? 1;
    };
  }
  return {
    width: 1,
    levelOf,
    finish(raw, levels, values, bands) {
      for (let i = 0; i < raw.length; i++) {
        const v = inverse(raw[i]!) * levels[i]!;
        values[i] = Math.max(v, clampMin);
        if (bands) {
          let b = 0;
          while (b < thresholds.length && values[i]! >= thresholds[b]!) b++;
          bands[i] = b;
        }
      }
    },
  };
}

/** The most probable class of each row of `[N, classes]` probabilities; the first on a tie, as argmax does. */
function classifierOutput(classes: number): OutputStage {
  return {
    width: classes,
    levelOf: () => 1,
    finish(raw, _levels, values) {
      for (let i = 0, at = 0; i < values.length; i++, at += classes) {
        let best = 0;
        for (let c = 1; c < classes; c++) if (raw[at + c]! > raw[at + best]!) best = c;
        values[i] = best;
      }
    },
  };
}

/**
 * Turns columnar results into one object per record, in input order. Building 100,000 objects
 * (and collecting their garbage) is a long task, so on a page's main thread it
 * yields to the event loop whenever it has run for `sliceMs`.
 */
export async function toPredictions(
  columns: BatchColumns,
  spec: Postprocess,
  sliceMs = Infinity,
): Promise<Array<Prediction | RejectedRecord>> {
  const { values, bands, rejected, warnings, issues, probabilities } = columns;
  const labels = spec.bands?.labels;
  const bandName = spec.bands?.name;
  const classes = spec.labels;
  const out = new Array<Prediction | RejectedRecord>(values.length);
  // Warnings and issues come in record order (see BatchColumns): one cursor each finds a
  // record's own, where a Map from index to list cost an allocation per warned record up front.
  let w = 0;
  let k = 0;
  let sliceStart = performance.now();
  for (let i = 0; i < values.length; i++) {
    if (i % CHECK_CLOCK_EVERY === 0 && performance.now() - sliceStart >= sliceMs) {
      await nextTask();
      sliceStart = performance.now();
    }
    const firstWarning = w;
    while (w < warnings.length && warnings[w]!.index === i) w++;
    const firstIssue = k;
    while (k < issues.length && issues[k]!.index === i) k++;
    if (rejected?.[i]) {
      out[i] = { error: { code: 'ERR_VALIDATION', issues: issues.slice(firstIssue, k) } };
      continue;
    }
    let p: Prediction;
    if (classes && probabilities) {
      const byLabel: Record<string, number> = {};
      for (let c = 0; c < classes.length; c++) byLabel[classes[c]!] = probabilities[i * classes.length + c]!;
      p = { [spec.name]: classes[values[i]!]!, probabilities: byLabel };
    } else p = { [spec.name]: values[i]! };
    if (bands && labels && bandName) p[bandName] = labels[bands[i]!]!;
    if (w > firstWarning) p.warnings = warnings.slice(firstWarning, w);
    out[i] = p;
  }
  return out;
}

/** Records between two looks at the clock: reading it costs more than building one object. */
const CHECK_CLOCK_EVERY = 256;

/**
 * Ends the current task. A message to itself, not setTimeout (nested timeouts are clamped to
 * 4 ms) nor scheduler.yield (its continuations run ahead of the page's other tasks, starving them).
 */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
