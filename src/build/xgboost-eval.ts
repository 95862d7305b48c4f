/**
 * A reference evaluator for XGBoost JSON models: walks the source trees in JS with XGBoost's own
 * rules, so `bundle` can prove the converted ONNX model computes what XGBoost computed.
 */
import { readXgboost, type XgbModel } from './xgboost-model.js';

/**
 * XGBoost's `predict` for `n` rows of `width` float32 values (row-major; NaN is missing), one array
 * per row shaped like the converted model's output: `[prediction]` for regression, `[1 − p, p]` for
 * binary:logistic, K class probabilities for multi:*.
 */
export function evaluateXgboost(json: unknown, rows: ArrayLike<number>, n: number, width: number): Float64Array[] {
  if (rows.length !== n * width) throw new RangeError(`evaluateXgboost: ${rows.length} values are not ${n} rows of ${width}`);
  const model = readXgboost(json, width);
  const out: Float64Array[] = [];
  const row = new Float32Array(width);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < width; j++) row[j] = rows[i * width + j]!;
    out.push(transform(model, xgboostMargins(model, row)));
  }
  return out;
}

/** Summed margins of one float32 row, in float32 and tree order, as XGBoost's CPU predictor adds them. */
export function xgboostMargins(model: XgbModel, row: Float32Array): Float64Array {
  const margin = Float64Array.from(model.baseMargin);
  for (const tree of model.trees) {
    let k = 0;
    while (tree.feature[k]! >= 0) {
      const x = row[tree.feature[k]!]!;
      // x < t on float32 values; NaN (missing) takes the node's default direction.
      const left = Number.isNaN(x) ? tree.defaultLeft[k] : x < tree.value[k]!;
      k = left ? tree.left[k]! : tree.right[k]!;
    }
    margin[tree.group] = Math.fround(margin[tree.group]! + tree.value[k]!);
  }
  return margin;
}

function transform(model: XgbModel, margin: Float64Array): Float64Array {
  switch (model.link) {
    case 'identity':
      return margin;
    case 'exp':
      return margin.map(Math.exp);
    case 'sigmoid': {
      const [m] = margin;
      if (m === undefined) throw new Error('evaluateXgboost: a sigmoid model with no margin');
      const p = 1 / (1 + Math.exp(-m));
      // binary:logistic reports both classes; 1 / (1 + e^m) keeps 1 − p exact when p is near 1.
      return model.kind === 'classification' ? Float64Array.of(1 / (1 + Math.exp(m)), p) : Float64Array.of(p);
    }
    case 'softmax': {
      const max = Math.max(...margin);
      const e = margin.map((m) => Math.exp(m - max));
      const sum = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / sum);
    }
  }
}
