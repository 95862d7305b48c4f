import { UnsupportedError, ValidationError, type ValidationIssue } from '../errors.js';
import { epochDay, parseIsoDate, type CivilDate } from '../features/calendar.js';
import type { BatchColumns } from '../outputs/postprocess.js';
import type { Manifest } from '../schema/manifest.js';
import type { FieldValue } from '../schema/record.js';
import { AccuracyTracker, levelScaleFrom, MIN_ACTUALS, type AccuracySnapshot, type Actual } from './accuracy.js';
import { brierTerm, ClassifierAccuracy } from './classifier-accuracy.js';
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

/** Actuals and the uncalibrated predictions they are compared with, in the order given. */
export interface MatchedActuals {
  /** Regression: the prediction. Classification: the probability given to the true label. */
  predicted: Float64Array;
  /** Regression: the actual value. Classification: the Brier term of the outcome. */
  actual: Float64Array;
  /** Classification: 1 where the predicted label was the true one. */
  hit?: Uint8Array | undefined;
  /** Actuals that could not be matched; when there are any, nothing is applied. */
  issues: ValidationIssue[];
}

/** Throws one ValidationError naming every actual that could not be matched. */
function usable(matched: MatchedActuals): MatchedActuals {
  if (matched.issues.length) throw new ValidationError(matched.issues);
  return matched;
}

/** Remembered predictions by date, for actuals reported by date. */
const REMEMBERED_DATES = 1000;

export class Monitor {
  levelScale = 1;
  readonly drift: DriftMonitor | undefined;
  /** Input slot of the first date field, -1 when there is none. */
  readonly dateSlot: number;
  private readonly accuracy: AccuracyTracker | ClassifierAccuracy;
  /** A classifier's labels; undefined for a regression. */
  private readonly labels: readonly string[] | undefined;
  /** epoch day → uncalibrated prediction, most recent last. */
  private readonly byDay = new Map<number, number>();

  constructor(manifest: Manifest) {
    this.dateSlot = manifest.inputs.findIndex((f) => f.type === 'date');
    const { reference } = manifest;
    const monthSlot = reference?.monthsOf === undefined ? this.dateSlot : manifest.inputs.findIndex((f) => f.name === reference.monthsOf);
    this.drift = reference ? new DriftMonitor(reference, manifest.inputs, monthSlot) : undefined;
    this.labels = manifest.output.labels;
    this.accuracy = this.labels
      ? new ClassifierAccuracy(manifest.metrics?.holdout?.logLoss)
      : new AccuracyTracker(manifest.metrics?.holdout?.mae);
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
   * Matches actuals to uncalibrated predictions: by date from memory, by record through
   * `predict` (which reports invalid records as issues, numbered among the records). Does not
   * throw: `issues` names every actual that cannot be matched.
   */
  async match(
    actuals: readonly Actual[],
    predict: (records: unknown[]) => Promise<Pick<BatchColumns, 'values' | 'issues' | 'probabilities'>>,
  ): Promise<MatchedActuals> {
    if (this.labels) return this.matchLabels(actuals, this.labels, predict);
    const issues: ValidationIssue[] = [];
    const predicted = new Float64Array(actuals.length);
    const actual = new Float64Array(actuals.length);
    const withRecord: number[] = [];
    actuals.forEach((a, index) => {
      if (typeof a !== 'object' || a === null || typeof a.actual !== 'number' || !Number.isFinite(a.actual) || a.actual < 0) {
        issues.push({
          index,
          path: 'actual',
          kind: 'type',
          message: 'expected a finite, non-negative actual',
          received: (a as { actual?: unknown })?.actual,
        });
        return;
      }
      actual[index] = a.actual;
      if (a.record !== undefined) {
        withRecord.push(index);
      } else {
        const date = typeof a.date === 'string' ? parseIsoDate(a.date) : null;
        const remembered = date ? this.byDay.get(epochDay(date)) : undefined;
        if (remembered === undefined) {
          issues.push({
            index,
            path: 'date',
            kind: 'missing',
            message: 'no recent prediction for this date; pass the record instead',
            received: a.date,
          });
        } else predicted[index] = remembered;
      }
    });
    if (withRecord.length) {
      const quiet = await predict(withRecord.map((i) => actuals[i]!.record));
      // The records' issues are numbered among the records alone: renumber them among the actuals.
      for (const issue of quiet.issues)
        issues.push({ ...issue, index: withRecord[issue.index]!, path: issue.path ? `record.${issue.path}` : 'record' });
      withRecord.forEach((index, k) => {
        predicted[index] = quiet.values[k]! / this.levelScale;
      });
    }
    return { predicted, actual, issues: issues.sort((a, b) => a.index - b.index) };
  }

  /** A classifier's actuals: the true label of a record, scored against the probabilities predicted for it. */
  private async matchLabels(
    actuals: readonly Actual[],
    labels: readonly string[],
    predict: (records: unknown[]) => Promise<Pick<BatchColumns, 'values' | 'issues' | 'probabilities'>>,
  ): Promise<MatchedActuals> {
    const issues: ValidationIssue[] = [];
    const truth = new Int32Array(actuals.length).fill(-1);
    const withRecord: number[] = [];
    actuals.forEach((a, index) => {
      const label = typeof a === 'object' && a !== null ? labels.indexOf(String(a.actual)) : -1;
      if (label < 0)
        issues.push({
          index,
          path: 'actual',
          kind: 'unknown-category',
          message: `expected one of the labels ${labels.map((l) => `"${l}"`).join(', ')}`,
          received: (a as { actual?: unknown })?.actual,
        });
      else if (a.record === undefined)
        issues.push({
          index,
          path: 'record',
          kind: 'missing',
          message: "a classifier's actual needs the record it is the label of",
          received: undefined,
        });
      else {
        truth[index] = label;
        withRecord.push(index);
      }
    });
    const predicted = new Float64Array(actuals.length);
    const brier = new Float64Array(actuals.length);
    const hit = new Uint8Array(actuals.length);
    if (withRecord.length) {
      const quiet = await predict(withRecord.map((i) => actuals[i]!.record));
      for (const issue of quiet.issues)
        issues.push({ ...issue, index: withRecord[issue.index]!, path: issue.path ? `record.${issue.path}` : 'record' });
      const k = labels.length;
      withRecord.forEach((index, r) => {
        predicted[index] = quiet.probabilities![r * k + truth[index]!]!;
        brier[index] = brierTerm(quiet.probabilities!, r * k, k, truth[index]!);
        hit[index] = quiet.values[r] === truth[index] ? 1 : 0;
      });
    }
    return { predicted, actual: brier, hit, issues: issues.sort((a, b) => a.index - b.index) };
  }

  reportActuals(matched: MatchedActuals): AccuracySnapshot {
    const { predicted, actual, hit } = usable(matched);
    const tracker = this.accuracy;
    if (tracker instanceof ClassifierAccuracy)
      for (let i = 0; i < predicted.length; i++) tracker.add(predicted[i]!, hit![i] === 1, actual[i]!);
    else for (let i = 0; i < predicted.length; i++) tracker.add(predicted[i]! * this.levelScale, actual[i]!);
    return tracker.snapshot();
  }

  calibrate(matched: MatchedActuals): number {
    if (this.labels)
      throw new UnsupportedError(
        "calibrate rescales a regression's demand level; this bundle is a classifier (report its actuals with reportActuals instead)",
      );
    const { predicted, actual } = usable(matched);
    if (predicted.length < MIN_ACTUALS) {
      throw new ValidationError([
        {
          index: -1,
          path: '',
          kind: 'record',
          message: `calibration needs at least ${MIN_ACTUALS} actuals, got ${predicted.length}`,
          received: predicted.length,
        },
      ]);
    }
    this.levelScale = levelScaleFrom(predicted, actual);
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
