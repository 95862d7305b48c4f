import type { TreeEnsemble } from './ensemble.js';
import { logistic, probit, transformScores } from './transforms.js';

const f = Math.fround;

/**
 * onnxruntime's aggregators (tree_ensemble_aggregator.h) for one row, given the leaf each tree
 * reached, trees in root order. Scores are float32 as onnxruntime keeps them for float input;
 * `has` mirrors its ScoreValue::has_score, which decides what some outputs are.
 */
export class Aggregator {
  private readonly scores: Float64Array;
  private readonly has: Uint8Array;
  private readonly values: Float64Array;

  constructor(private readonly e: TreeEnsemble) {
    this.scores = new Float64Array(e.outputs);
    this.has = new Uint8Array(e.outputs);
    this.values = new Float64Array(Math.max(2, e.outputs));
  }

  /** Single output (regressor, n_targets = 1): FinalizeScores1. */
  one(leaves: Int32Array, at: number, trees: number): number {
    const { aggregate, leaves: w, baseValues, postTransform } = this.e;
    let score = 0;
    let has = false;
    for (let t = 0; t < trees; t++) {
      const v = w.unique[leaves[at + t]!]!;
      if (aggregate === 'SUM' || aggregate === 'AVERAGE') score = f(score + v);
      else if (!has || (aggregate === 'MIN' ? v < score : v > score)) score = v;
      has = true;
    }
    return finishOne(this.e, score, trees, baseValues, postTransform);
  }

  /** Two or more outputs: FinalizeScores of the regressor or the classifier, written to `out` at `o`. */
  many(leaves: Int32Array, at: number, trees: number, out: Float32Array, o: number): void {
    const { aggregate, leaves: w } = this.e;
    const { scores, has } = this;
    scores.fill(0);
    has.fill(0);
    const sum = aggregate === 'SUM' || aggregate === 'AVERAGE';
    for (let t = 0; t < trees; t++) {
      const leaf = leaves[at + t]!;
      for (let k = w.start[leaf]!, end = k + w.count[leaf]!; k < end; k++) {
        const c = w.targets[k]!;
        const v = w.values[k]!;
        if (sum) scores[c] = f(scores[c]! + v);
        else if (!has[c] || (aggregate === 'MIN' ? v < scores[c]! : v > scores[c]!)) scores[c] = v;
        has[c] = 1;
      }
    }
    if (this.e.op === 'TreeEnsembleClassifier') this.classify(out, o);
    else this.regress(trees, out, o);
  }

  private regress(trees: number, out: Float32Array, o: number): void {
    const { aggregate, baseValues: base, outputs: n, postTransform } = this.e;
    const { scores, has, values } = this;
    const useBase = base.length === n;
    for (let j = 0; j < n; j++) {
      let s = scores[j]!;
      if (aggregate === 'AVERAGE') s = f(s / trees);
      if (aggregate === 'MIN' || aggregate === 'MAX') s = f((useBase ? base[j]! : 0) + (has[j] ? s : 0));
      else if (useBase) s = f(s + base[j]!);
      // The score's has_score flag survives the base value: an untouched target writes 0.
      values[j] = has[j] ? s : 0;
    }
    transformScores(values, n, postTransform);
    for (let j = 0; j < n; j++) out[o + j] = values[j]!;
  }

  private classify(out: Float32Array, o: number): void {
    const { baseValues: base, outputs: n, postTransform: post } = this.e;
    const { scores: s, has, values } = this;
    if (n > 2) {
      for (let k = 0; k < base.length; k++) {
        s[k] = has[k] ? f(s[k]! + base[k]!) : base[k]!;
        has[k] = 1;
      }
      for (let j = 0; j < n; j++) values[j] = has[j] ? s[j]! : 0;
      transformScores(values, n, post);
      for (let j = 0; j < n; j++) out[o + j] = values[j]!;
      return;
    }
    let second = -1;
    let size = 2;
    if (base.length === 2) {
      if (has[1]) {
        s[1] = f(base[1]! + s[0]!);
        s[0] = -s[1]!;
      } else {
        s[1] = f(s[1]! + base[1]!);
        s[0] = f(s[0]! + base[0]!);
      }
    } else if (base.length === 1) {
      s[0] = f(s[0]! + base[0]!);
      if (!has[1]) size = 1;
    } else if (base.length === 0) {
      second = 3;
      if (!has[1]) size = 1;
    }
    if (this.e.binaryCase) {
      const positive = size === 2 && has[1] ? s[1]! : has[0] ? s[0]! : 0;
      second = this.e.weightsAllPositive ? (positive > 0.5 ? 0 : 1) : positive > 0 ? 2 : 3;
    }
    const v0 = has[0] ? s[0]! : 0;
    if (size === 2) {
      values[0] = v0;
      values[1] = has[1] ? s[1]! : 0;
      transformScores(values, 2, post);
      out[o] = values[0]!;
      out[o + 1] = values[1]!;
    } else if (post === 'PROBIT' || second < 0) {
      // onnxruntime writes only the first column here and leaves the second uninitialized.
      out[o] = post === 'PROBIT' ? probit(v0) : v0;
      out[o + 1] = 0;
    } else if (post === 'LOGISTIC') {
      // onnxruntime 1.30 applies the logistic whatever the weights' signs (trees-exact checks it).
      out[o] = logistic(-v0);
      out[o + 1] = logistic(v0);
    } else {
      out[o] = second < 2 ? f(1 - v0) : -v0;
      out[o + 1] = v0;
    }
  }
}

/** FinalizeScores1: the base value after the trees, AVERAGE dividing first; only PROBIT applies. */
export function finishOne(e: TreeEnsemble, score: number, trees: number, base: Float32Array, post: TreeEnsemble['postTransform']): number {
  const origin = base.length === 1 ? base[0]! : 0;
  if (e.aggregate === 'AVERAGE') score = f(score / trees);
  score = f(score + origin);
  return post === 'PROBIT' ? probit(score) : score;
}
