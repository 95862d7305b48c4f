/**
 * Live error against what really happened, and calibration of the demand level from it.
 * Both work on (prediction, actual) pairs; the engine supplies the predictions, either from
 * the ones it made recently for a date or by predicting the given record.
 */

/** One observed outcome: the record (predicted now) or the date of an earlier prediction, and the real value (a classifier's: the true label, with its record). */
export type Actual = { actual: number | string; record: unknown; date?: undefined } | { actual: number; date: string; record?: undefined };

/** Rolling window of the latest actuals. */
export const ACCURACY_WINDOW = 28;
/** Fewer actuals than this give `insufficient-data`. */
export const MIN_ACTUALS = 7;
/** `degraded` when the rolling MAE exceeds this multiple of the holdout MAE. */
export const DEGRADED_FACTOR = 1.5;
/** Calibration never moves the level beyond these factors. */
export const LEVEL_SCALE_BOUNDS = [0.25, 4] as const;

export interface AccuracySnapshot {
  /** Actuals in the window (at most ACCURACY_WINDOW). */
  count: number;
  mae: number | undefined;
  /** Mean absolute percentage error, over actuals > 0. */
  mape: number | undefined;
  /** Mean of prediction − actual. */
  bias: number | undefined;
  holdoutMae: number | undefined;
  /** Classifiers: share of actuals whose label the model predicted. */
  accuracy?: number | undefined;
  /** Classifiers: mean −ln(probability given to the true label). */
  logLoss?: number | undefined;
  /** Classifiers: mean Σ (probability − truth)² over the labels. */
  brier?: number | undefined;
  status: 'ok' | 'degraded' | 'insufficient-data';
  bound: { window: number; minActuals: number; degradedFactor: number };
}

export class AccuracyTracker {
  private pairs: Array<[predicted: number, actual: number]> = [];

  constructor(private readonly holdoutMae: number | undefined) {}

  add(predicted: number, actual: number): void {
    this.pairs.push([predicted, actual]);
    if (this.pairs.length > ACCURACY_WINDOW) this.pairs.shift();
  }

  snapshot(): AccuracySnapshot {
    const n = this.pairs.length;
    const bound = { window: ACCURACY_WINDOW, minActuals: MIN_ACTUALS, degradedFactor: DEGRADED_FACTOR };
    if (n === 0)
      return {
        count: 0,
        mae: undefined,
        mape: undefined,
        bias: undefined,
        holdoutMae: this.holdoutMae,
        status: 'insufficient-data',
        bound,
      };
    let abs = 0;
    let bias = 0;
    let pct = 0;
    let pctCount = 0;
    for (const [p, a] of this.pairs) {
      abs += Math.abs(p - a);
      bias += p - a;
      if (a > 0) {
        pct += Math.abs(p - a) / a;
        pctCount++;
      }
    }
    const mae = abs / n;
    const degraded = this.holdoutMae !== undefined && mae > DEGRADED_FACTOR * this.holdoutMae;
    return {
      count: n,
      mae: round(mae),
      mape: pctCount ? round((100 * pct) / pctCount) : undefined,
      bias: round(bias / n),
      holdoutMae: this.holdoutMae,
      status: n < MIN_ACTUALS ? 'insufficient-data' : degraded ? 'degraded' : 'ok',
      bound,
    };
  }

  reset(): void {
    this.pairs = [];
  }
}

/**
 * The level factor that makes the total of the predictions equal the total of the actuals
 * (ratio of sums, robust to single bad days), bounded to LEVEL_SCALE_BOUNDS.
 * `predicted` must be the uncalibrated predictions.
 */
export function levelScaleFrom(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  const sumP = sum(predicted);
  const sumA = sum(actual);
  if (!(sumP > 0)) return 1;
  const [lo, hi] = LEVEL_SCALE_BOUNDS;
  return Math.min(hi, Math.max(lo, sumA / sumP));
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
