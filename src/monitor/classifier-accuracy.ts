import { ACCURACY_WINDOW, DEGRADED_FACTOR, MIN_ACTUALS, type AccuracySnapshot } from './accuracy.js';

/**
 * Live accuracy of a classifier against the true labels reported: share of correct labels,
 * log-loss and Brier score over the latest ACCURACY_WINDOW actuals.
 */

/** Probabilities at or below this count as this much in log-loss, so one confident miss is a large but finite penalty. */
const MIN_PROBABILITY = 1e-15;

export class ClassifierAccuracy {
  private outcomes: Array<{ pTrue: number; hit: boolean; brier: number }> = [];

  /** `holdoutLogLoss`: degraded when the live log-loss exceeds DEGRADED_FACTOR times it. */
  constructor(private readonly holdoutLogLoss: number | undefined) {}

  /** One outcome: the probability the model gave the true label, whether that label was its answer, and its Brier term. */
  add(pTrue: number, hit: boolean, brier: number): void {
    this.outcomes.push({ pTrue, hit, brier });
    if (this.outcomes.length > ACCURACY_WINDOW) this.outcomes.shift();
  }

  snapshot(): AccuracySnapshot {
    const n = this.outcomes.length;
    const bound = { window: ACCURACY_WINDOW, minActuals: MIN_ACTUALS, degradedFactor: DEGRADED_FACTOR };
    const none = { mae: undefined, mape: undefined, bias: undefined, holdoutMae: undefined };
    if (n === 0)
      return { count: 0, ...none, accuracy: undefined, logLoss: undefined, brier: undefined, status: 'insufficient-data', bound };
    let hits = 0;
    let loss = 0;
    let brier = 0;
    for (const o of this.outcomes) {
      hits += o.hit ? 1 : 0;
      loss -= Math.log(Math.max(o.pTrue, MIN_PROBABILITY));
      brier += o.brier;
    }
    const logLoss = loss / n;
    const degraded = this.holdoutLogLoss !== undefined && logLoss > DEGRADED_FACTOR * this.holdoutLogLoss;
    const r = (x: number) => Math.round(x * 1e4) / 1e4;
    return {
      count: n,
      ...none,
      accuracy: r(hits / n),
      logLoss: r(logLoss),
      brier: r(brier / n),
      status: n < MIN_ACTUALS ? 'insufficient-data' : degraded ? 'degraded' : 'ok',
      bound,
    };
  }

  reset(): void {
    this.outcomes = [];
  }
}

/** The Brier term of one outcome: Σ (p_k − y_k)² over the classes of a probability row. */
export function brierTerm(probabilities: ArrayLike<number>, from: number, classes: number, truth: number): number {
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += (probabilities[from + c]! - (c === truth ? 1 : 0)) ** 2;
  return sum;
}
