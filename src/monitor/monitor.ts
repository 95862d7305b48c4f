import { ValidationError, type ValidationIssue } from '../errors.js';
import { epochDay, parseIsoDate, type CivilDate } from '../features/calendar.js';
import type { BatchColumns } from '../outputs/postprocess.js';
import type { Manifest } from '../schema/manifest.js';
import type { FieldValue } from '../schema/record.js';
import { AccuracyTracker, levelScaleFrom, MIN_ACTUALS, type AccuracySnapshot, type Actual } from './accuracy.js';
import { DriftMonitor, type DriftSnapshot } from './drift.js';

/**
 * Per-predictor monitoring state, kept where the predictions happen (the worker): drift counts,
 * the latest predictions by date (so actuals can be reported by date alone), the live error,
 * and the calibrated level scale.
 */

/** What `predictor.monitor()` returns; JSON-safe. */
export interface MonitorSnapshot {
  /** Undefined when the bundle carries no reference statistics. */
  drift: DriftSnapshot | undefined;
  accuracy: AccuracySnapshot;
  /** Active calibration factor on the demand level (1 = as trained). */
  levelScale: number;
}

/** Predictions of records given with actuals, and the issues of those that are invalid (numbered among these records). */
export interface QuietPredictions {
  values: Float64Array;
  issues: ValidationIssue[];
}

/** Remembered predictions by date, for actuals reported by date. */
const REMEMBERED_DATES = 1000;

export class Monitor {
  levelScale = 1;
  readonly drift: DriftMonitor | undefined;
  /** Input slot of the first date field, -1 when there is none. */
  readonly dateSlot: number;
  private readonly accuracy: AccuracyTracker;
  /** epoch day → uncalibrated prediction, most recent last. */
  private readonly byDay = new Map<number, number>();

  constructor(manifest: Manifest) {
    this.dateSlot = manifest.inputs.findIndex((f) => f.type === 'date');
    this.drift = manifest.reference ? new DriftMonitor(manifest.reference, manifest.inputs, this.dateSlot) : undefined;
    this.accuracy = new AccuracyTracker(manifest.metrics?.holdout?.mae);
  }

  /** First row of an n-row batch whose prediction is remembered by date (only those need their day). */
  rememberedFrom(n: number): number {
    return Math.max(0, n - REMEMBERED_DATES);
  }

  dayOf(values: readonly FieldValue[]): number {
    return epochDay(values[this.dateSlot] as CivilDate);
  }

  /**
   * After a batch: output drift counts, and the last REMEMBERED_DATES predictions by date.
   * The output is observed level-free (value / level of its year × level scale), as its reference
   * is built, so neither a year's demand level nor calibration reads as drift.
   */
  afterBatch(columns: BatchColumns, days: Int32Array | null, levels: Float64Array): void {
    const { values, rejected } = columns;
    this.drift?.observeProblems(columns.warnings, columns.issues);
    for (let i = 0; i < values.length; i++) if (!rejected?.[i]) this.drift?.observeOutput(values[i]! / levels[i]!);
    if (!days) return;
    for (let i = this.rememberedFrom(values.length); i < values.length; i++) {
      if (rejected?.[i]) continue;
      this.byDay.delete(days[i]!);
      this.byDay.set(days[i]!, values[i]! / this.levelScale);
      if (this.byDay.size > REMEMBERED_DATES) this.byDay.delete(this.byDay.keys().next().value!);
    }
  }

  /**
   * Uncalibrated predictions for actuals: by date from memory, by record through `predict`.
   * Throws one ValidationError naming every actual that cannot be matched.
   */
  async predictionsFor(actuals: readonly Actual[], predict: (records: unknown[]) => Promise<QuietPredictions>): Promise<number[]> {
    const issues: ValidationIssue[] = [];
    const out = new Array<number>(actuals.length);
    const withRecord: number[] = [];
    actuals.forEach((a, index) => {
      if (typeof a !== 'object' || a === null || typeof a.actual !== 'number' || !Number.isFinite(a.actual) || a.actual < 0) {
        issues.push({ index, path: 'actual', kind: 'type', message: 'expected a finite, non-negative actual', received: (a as { actual?: unknown })?.actual });
      } else if (a.record !== undefined) {
        withRecord.push(index);
      } else {
        const date = typeof a.date === 'string' ? parseIsoDate(a.date) : null;
        const predicted = date ? this.byDay.get(epochDay(date)) : undefined;
        if (predicted === undefined) {
          issues.push({ index, path: 'date', kind: 'missing', message: 'no recent prediction for this date; pass the record instead', received: a.date });
        } else out[index] = predicted;
      }
    });
    if (withRecord.length) {
      const predicted = await predict(withRecord.map((i) => actuals[i]!.record));
      // The records' issues are numbered among the records alone: renumber them among the actuals.
      for (const issue of predicted.issues) issues.push({ ...issue, index: withRecord[issue.index]!, path: issue.path ? `record.${issue.path}` : 'record' });
      withRecord.forEach((index, k) => {
        out[index] = predicted.values[k]! / this.levelScale;
      });
    }
    if (issues.length) throw new ValidationError(issues.sort((a, b) => a.index - b.index));
    return out;
  }

  reportActuals(predicted: readonly number[], actuals: readonly Actual[]): AccuracySnapshot {
    predicted.forEach((p, i) => this.accuracy.add(p * this.levelScale, actuals[i]!.actual));
    return this.accuracy.snapshot();
  }

  calibrate(predicted: readonly number[], actuals: readonly Actual[]): number {
    if (predicted.length < MIN_ACTUALS) {
      throw new ValidationError([
        { index: -1, path: '', kind: 'record', message: `calibration needs at least ${MIN_ACTUALS} actuals, got ${predicted.length}`, received: predicted.length },
      ]);
    }
    this.levelScale = levelScaleFrom(predicted, actuals.map((a) => a.actual));
    return this.levelScale;
  }

  snapshot(): MonitorSnapshot {
    return { drift: this.drift?.snapshot(), accuracy: this.accuracy.snapshot(), levelScale: this.levelScale };
  }

  reset(): void {
    this.drift?.reset();
    this.accuracy.reset();
  }
}
