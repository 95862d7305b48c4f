/** Accuracy figures for a regression, as manifests carry them (`metrics.holdout`, …). */
export interface RegressionScores {
  mae: number;
  rmse: number;
  r2: number;
  /** Mean of predicted − actual. */
  bias: number;
  rows: number;
}

/** MAE, RMSE, R² and bias of `predicted` against `actual` (MAE/RMSE/bias to 0.1, R² to 4 places). */
export function scoreRegression(actual: ArrayLike<number>, predicted: ArrayLike<number>): RegressionScores {
  const n = actual.length;
  if (n === 0 || predicted.length !== n)
    throw new RangeError(`need as many predictions as actuals (${predicted.length} vs ${n}), at least one`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i]!;
  mean /= n;
  let abs = 0;
  let sq = 0;
  let tot = 0;
  let bias = 0;
  for (let i = 0; i < n; i++) {
    const e = predicted[i]! - actual[i]!;
    abs += Math.abs(e);
    sq += e * e;
    tot += (actual[i]! - mean) ** 2;
    bias += e;
  }
  const r = (x: number, digits: number) => Number(x.toFixed(digits));
  return { mae: r(abs / n, 1), rmse: r(Math.sqrt(sq / n), 1), r2: r(1 - sq / tot, 4), bias: r(bias / n, 1), rows: n };
}

/** The q-quantile (0…1) of values, linearly interpolated (as numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (at - lo);
}
