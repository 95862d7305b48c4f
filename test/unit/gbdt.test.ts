import { describe, expect, it } from 'vitest';
import { predictEnsemble, trainGbdt, type GbdtParams, type Tree } from '../../src/build/gbdt.js';

const defaults: GbdtParams = {
  nTrees: 50,
  maxDepth: 3,
  learningRate: 0.1,
  minSamplesLeaf: 1,
  subsample: 1,
  maxBins: 64,
  l2: 0,
  seed: 1,
};

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** Row-major float32-representable features with a nonlinear target. */
function synth(n: number, f: number, seed = 7) {
  const r = lcg(seed);
  const x = new Float64Array(n * f).map(() => Math.fround(r() * 10 - 5));
  const y = Array.from({ length: n }, (_, i) => {
    const row = x.subarray(i * f, i * f + f);
    return 10 + 2 * Math.sin(row[0]!) + (row[1]! > 0 ? 3 : -1) + 0.3 * (f > 2 ? row[2]! : 1) * (f > 3 ? row[3]! : 1) + 0.2 * r();
  });
  return { x, y };
}

function depthOf(t: Tree, node = 0): number {
  return t.feature[node]! < 0 ? 0 : 1 + Math.max(depthOf(t, t.left[node]!), depthOf(t, t.right[node]!));
}

function leafOf(t: Tree, row: ArrayLike<number>): number {
  let node = 0;
  while (t.feature[node]! >= 0) node = Math.fround(row[t.feature[node]!]!) <= t.threshold[node]! ? t.left[node]! : t.right[node]!;
  return node;
}

function mse(ens: ReturnType<typeof trainGbdt>['ensemble'], x: Float64Array, y: number[], f: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i]! - predictEnsemble(ens, x.subarray(i * f, i * f + f))) ** 2;
  return s / y.length;
}

describe('trainGbdt', () => {
  it('fits a step function exactly with one stump at learning rate 1', () => {
    const xs = Array.from({ length: 20 }, (_, i) => Math.fround(i / 20));
    const y = xs.map((v) => (v < 0.5 ? 1 : 5));
    const { ensemble } = trainGbdt(Float64Array.from(xs), 1, y, { ...defaults, nTrees: 1, maxDepth: 1, learningRate: 1 });
    const tree = ensemble.trees[0]!;
    expect(tree.feature.length).toBe(3);
    expect(tree.feature[0]).toBe(0);
    expect(tree.threshold[0]).toBeGreaterThan(0.45);
    expect(tree.threshold[0]).toBeLessThan(0.5);
    xs.forEach((v, i) => expect(predictEnsemble(ensemble, [v])).toBe(y[i]));
    expect(predictEnsemble(ensemble, [-100])).toBe(1);
    expect(predictEnsemble(ensemble, [100])).toBe(5);
    // Left is taken on equality, like BRANCH_LEQ.
    expect(predictEnsemble(ensemble, [tree.threshold[0]!])).toBe(1);
  });

  it('splits correctly between adjacent float32 values (midpoint rounds up)', () => {
    const a = 1;
    const b = 1 + 2 ** -23;
    const c = 1 + 2 ** -22;
    // fround((b + c) / 2) === c, so a naive midpoint threshold would send c left.
    expect(Math.fround((b + c) / 2)).toBe(c);
    const xs = [a, b, c, a, b, c];
    const y = [0, 0, 12, 0, 0, 12]; // mean 4: base and leaves are exact in float32
    const { ensemble } = trainGbdt(Float64Array.from(xs), 1, y, { ...defaults, nTrees: 1, maxDepth: 1, learningRate: 1 });
    xs.forEach((v, i) => expect(predictEnsemble(ensemble, [v])).toBe(y[i]));
  });

  it('stores thresholds and leaf values that are exact float32 numbers', () => {
    const { x, y } = synth(300, 4);
    const { ensemble } = trainGbdt(x, 4, y, { ...defaults, nTrees: 20 });
    expect(Math.fround(ensemble.base)).toBe(ensemble.base);
    for (const t of ensemble.trees) {
      for (let k = 0; k < t.feature.length; k++) {
        expect(Math.fround(t.threshold[k]!)).toBe(t.threshold[k]);
        expect(Math.fround(t.value[k]!)).toBe(t.value[k]);
        if (t.feature[k]! < 0) expect([t.left[k], t.right[k]]).toEqual([-1, -1]);
      }
    }
  });

  it('reports a training loss that decreases monotonically and matches predictEnsemble', () => {
    const { x, y } = synth(400, 4);
    const { ensemble, trainLoss } = trainGbdt(x, 4, y, { ...defaults, nTrees: 80, l2: 1 });
    expect(trainLoss).toHaveLength(80);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const variance = y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length;
    expect(trainLoss[0]).toBeLessThan(variance);
    for (let t = 1; t < trainLoss.length; t++) expect(trainLoss[t]).toBeLessThanOrEqual(trainLoss[t - 1]!);
    expect(trainLoss[79]).toBeLessThan(trainLoss[0]! * 0.2);
    // Internal bin routing must agree with threshold routing on every training row.
    expect(mse(ensemble, x, y, 4)).toBeCloseTo(trainLoss[79]!, 10);
  });

  it('is deterministic for a seed and depends on it when subsampling', () => {
    const { x, y } = synth(200, 4);
    const p = { ...defaults, nTrees: 15, subsample: 0.7 };
    const a = trainGbdt(x, 4, y, { ...p, seed: 42 });
    const b = trainGbdt(x, 4, y, { ...p, seed: 42 });
    const c = trainGbdt(x, 4, y, { ...p, seed: 43 });
    expect(b.ensemble).toEqual(a.ensemble);
    expect(b.trainLoss).toEqual(a.trainLoss);
    expect(c.ensemble).not.toEqual(a.ensemble);
    // Without subsampling the seed is irrelevant.
    const d = trainGbdt(x, 4, y, { ...p, subsample: 1, seed: 1 });
    const e = trainGbdt(x, 4, y, { ...p, subsample: 1, seed: 2 });
    expect(e.ensemble).toEqual(d.ensemble);
  });

  it('accepts number[][] rows equivalently to a row-major Float64Array', () => {
    const { x, y } = synth(100, 3);
    const rows = Array.from({ length: 100 }, (_, i) => Array.from(x.subarray(i * 3, i * 3 + 3)));
    const a = trainGbdt(x, 3, y, { ...defaults, nTrees: 5 });
    const b = trainGbdt(rows, 3, y, { ...defaults, nTrees: 5 });
    expect(b.ensemble).toEqual(a.ensemble);
  });

  it('respects maxDepth', () => {
    const { x, y } = synth(300, 4);
    for (const maxDepth of [0, 2, 4]) {
      const { ensemble } = trainGbdt(x, 4, y, { ...defaults, nTrees: 10, maxDepth });
      const depths = ensemble.trees.map((t) => depthOf(t));
      expect(Math.max(...depths)).toBe(maxDepth);
    }
  });

  it('respects minSamplesLeaf on the training rows', () => {
    const n = 300;
    const { x, y } = synth(n, 4);
    const leafCounts = (minSamplesLeaf: number) => {
      const { ensemble } = trainGbdt(x, 4, y, { ...defaults, nTrees: 10, maxDepth: 5, minSamplesLeaf });
      return ensemble.trees.flatMap((t) => {
        const counts = new Map<number, number>();
        for (let i = 0; i < n; i++) {
          const leaf = leafOf(t, x.subarray(i * 4, i * 4 + 4));
          counts.set(leaf, (counts.get(leaf) ?? 0) + 1);
        }
        return [...counts.values()];
      });
    };
    expect(Math.min(...leafCounts(1))).toBeLessThan(25);
    expect(Math.min(...leafCounts(25))).toBeGreaterThanOrEqual(25);
  });

  it('limits thresholds per feature to maxBins - 1 quantile cuts', () => {
    const { x, y } = synth(500, 2);
    const { ensemble } = trainGbdt(x, 2, y, { ...defaults, nTrees: 40, maxDepth: 4, maxBins: 4 });
    for (const f of [0, 1]) {
      const used = new Set<number>();
      for (const t of ensemble.trees) t.feature.forEach((g, k) => g === f && used.add(t.threshold[k]!));
      expect(used.size).toBeGreaterThan(0);
      expect(used.size).toBeLessThanOrEqual(3);
    }
  });

  it('reports progress and validates its inputs', () => {
    const { x, y } = synth(50, 2);
    const calls: Array<[number, number]> = [];
    trainGbdt(x, 2, y, { ...defaults, nTrees: 3 }, (d, t) => calls.push([d, t]));
    expect(calls).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(() => trainGbdt(x, 2, y, { ...defaults, subsample: 0 })).toThrow(RangeError);
    expect(() => trainGbdt(x, 2, y, { ...defaults, maxBins: 1 })).toThrow(RangeError);
    expect(() => trainGbdt(x, 3, y, defaults)).toThrow(RangeError);
    const bad = x.slice();
    bad[5] = NaN;
    expect(() => trainGbdt(bad, 2, y, defaults)).toThrow(/non-finite/);
  });
});
