/**
 * A small gradient-boosted regression-tree trainer (squared error, histogram splits).
 *
 * Split semantics match ONNX `TreeEnsembleRegressor` with `BRANCH_LEQ` as evaluated by
 * onnxruntime on a float32 input: a row goes left when `Math.fround(x) <= threshold`.
 * Thresholds and leaf values are stored already rounded to float32, so the exported model
 * holds exactly the numbers the trainer used. Feature values should be float32-representable
 * (callers feed float32 tensors anyway); NaN/Infinity are rejected.
 */

export interface GbdtParams {
  nTrees: number;
  maxDepth: number;
  learningRate: number;
  minSamplesLeaf: number;
  /** Row subsampling fraction per tree, in (0, 1]; drawn without replacement. */
  subsample: number;
  /** Histogram bins per feature, 2..65536 (e.g. 64). */
  maxBins: number;
  /** L2 leaf regularisation (lambda), >= 0. */
  l2: number;
  seed: number;
}

/** Flat arrays, one entry per node (pre-order, root = 0); leaves have feature = -1 and left = right = -1. */
export interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

export interface Ensemble {
  base: number;
  trees: Tree[];
  nFeatures: number;
  featureNames?: string[];
}

export interface TrainResult {
  ensemble: Ensemble;
  /** MSE on all rows after each tree. */
  trainLoss: number[];
}

/** Small seeded PRNG so training is reproducible without Math.random. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function validate(p: GbdtParams): void {
  const int = (v: number, min: number, name: string) => {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
  };
  int(p.nTrees, 0, 'nTrees');
  int(p.maxDepth, 0, 'maxDepth');
  int(p.minSamplesLeaf, 1, 'minSamplesLeaf');
  int(p.maxBins, 2, 'maxBins');
  if (p.maxBins > 65536) throw new RangeError(`maxBins must be <= 65536, got ${p.maxBins}`);
  if (!(p.learningRate > 0)) throw new RangeError(`learningRate must be > 0, got ${p.learningRate}`);
  if (!(p.subsample > 0 && p.subsample <= 1)) throw new RangeError(`subsample must be in (0, 1], got ${p.subsample}`);
  if (!(p.l2 >= 0)) throw new RangeError(`l2 must be >= 0, got ${p.l2}`);
  if (!Number.isFinite(p.seed)) throw new RangeError(`seed must be finite, got ${p.seed}`);
}

/** Normalises input to a row-major Float64Array and rejects values ORT would treat differently. */
function toMatrix(x: Float64Array | number[][], n: number, nFeatures: number): Float64Array {
  let m: Float64Array;
  if (x instanceof Float64Array) {
    if (x.length !== n * nFeatures) throw new RangeError(`x has ${x.length} values, expected ${n}*${nFeatures}`);
    m = x;
  } else {
    if (x.length !== n) throw new RangeError(`x has ${x.length} rows, y has ${n}`);
    m = new Float64Array(n * nFeatures);
    x.forEach((row, i) => {
      if (row.length !== nFeatures) throw new RangeError(`row ${i} has ${row.length} features, expected ${nFeatures}`);
      m.set(row, i * nFeatures);
    });
  }
  for (let i = 0; i < m.length; i++) {
    if (!Number.isFinite(m[i])) throw new RangeError(`x contains a non-finite value at row ${Math.floor(i / nFeatures)}`);
  }
  return m;
}

/**
 * Candidate thresholds for one column: midpoints between adjacent distinct values, or between
 * values straddling quantile cuts when there are too many. Strictly increasing float32 values.
 */
function columnThresholds(values: Float64Array, maxBins: number): number[] {
  const sorted = Float64Array.from(values, Math.fround).sort();
  const cuts: number[] = [];
  const push = (a: number, b: number) => {
    let t = Math.fround((a + b) / 2);
    // Adjacent float32 values: the midpoint may round up to b, which would put b on the left.
    if (t >= b) t = a;
    const last = cuts.at(-1);
    if (last === undefined || t > last) cuts.push(t);
  };
  let distinct = 1;
  for (let i = 1; i < sorted.length && distinct <= maxBins; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct <= maxBins) {
    for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) push(sorted[i - 1]!, sorted[i]!);
  } else {
    const n = sorted.length;
    for (let q = 1; q < maxBins; q++) {
      const i = Math.floor((q * n) / maxBins);
      // Cut at the first value change at or after the quantile so ties stay in one bin.
      let j = i;
      while (j < n && sorted[j] === sorted[j - 1]) j++;
      if (j < n) push(sorted[j - 1]!, sorted[j]!);
    }
  }
  return cuts;
}

/**
 * Bin b holds values with cuts[b-1] < fround(x) <= cuts[b], so "bin <= k" is exactly
 * "fround(x) <= cuts[k]" — the routing ORT will do with the exported threshold.
 */
function binOf(cuts: number[], v: number): number {
  const x = Math.fround(v);
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= cuts[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface Split {
  feature: number;
  bin: number;
  gain: number;
}

/** The float32 threshold a split was chosen at: bestSplit only returns bins below a column's cut count. */
function threshold32(cuts: number[][], split: Split): number {
  const t = cuts[split.feature]?.[split.bin];
  if (t === undefined) throw new Error(`no cut ${split.bin} for feature ${split.feature}`);
  return t;
}

export function trainGbdt(
  x: Float64Array | number[][],
  nFeatures: number,
  y: ArrayLike<number>,
  params: GbdtParams,
  onProgress?: (treesDone: number, total: number) => void,
): TrainResult {
  validate(params);
  const n = y.length;
  if (n === 0) throw new RangeError('cannot train on zero rows');
  if (!Number.isInteger(nFeatures) || nFeatures < 1) throw new RangeError(`nFeatures must be a positive integer, got ${nFeatures}`);
  const X = toMatrix(x, n, nFeatures);
  const { nTrees, maxDepth, learningRate, minSamplesLeaf, l2 } = params;

  // Feature-major bin codes: histogram building walks one column at a time.
  const cuts: number[][] = [];
  const Bins = params.maxBins <= 256 ? Uint8Array : Uint16Array;
  const bins = new Bins(n * nFeatures);
  const col = new Float64Array(n);
  for (let f = 0; f < nFeatures; f++) {
    for (let i = 0; i < n; i++) col[i] = X[i * nFeatures + f]!;
    const c = columnThresholds(col, params.maxBins);
    cuts.push(c);
    for (let i = 0; i < n; i++) bins[f * n + i] = binOf(c, col[i]!);
  }

  let sum = 0;
  for (let i = 0; i < n; i++) {
    const yi = y[i];
    if (yi === undefined || !Number.isFinite(yi)) throw new RangeError(`y contains a non-finite value at row ${i}`);
    sum += yi;
  }
  const base = Math.fround(sum / n);
  const pred = new Float64Array(n).fill(base);
  const resid = new Float64Array(n);
  let totalSq = 0;
  for (let i = 0; i < n; i++) totalSq += (y[i]! - base) ** 2;
  // Ignore splits whose gain is float noise relative to the problem's scale.
  const minGain = 1e-12 * totalSq;

  const maxBin = Math.max(1, ...cuts.map((c) => c.length + 1));
  const gHist = new Float64Array(maxBin);
  const cHist = new Int32Array(maxBin);
  const rand = mulberry32(params.seed);
  const perm = new Int32Array(n).map((_, i) => i);
  const sampleSize = Math.max(1, Math.round(params.subsample * n));

  const bestSplit = (idx: Int32Array): Split | null => {
    let G = 0;
    for (const i of idx) G += resid[i]!;
    const m = idx.length;
    const parentScore = (G * G) / (m + l2);
    let best: Split | null = null;
    for (const [f, c] of cuts.entries()) {
      const nb = c.length + 1;
      if (nb < 2) continue;
      gHist.fill(0, 0, nb);
      cHist.fill(0, 0, nb);
      const off = f * n;
      for (let k = 0; k < m; k++) {
        const i = idx[k]!;
        const b = bins[off + i]!;
        gHist[b]! += resid[i]!;
        cHist[b]!++;
      }
      let gl = 0;
      let cl = 0;
      for (let b = 0; b < nb - 1; b++) {
        gl += gHist[b]!;
        cl += cHist[b]!;
        const cr = m - cl;
        if (cl < minSamplesLeaf) continue;
        if (cr < minSamplesLeaf) break;
        const gr = G - gl;
        const gain = (gl * gl) / (cl + l2) + (gr * gr) / (cr + l2) - parentScore;
        if (gain > minGain && (best === null || gain > best.gain)) best = { feature: f, bin: b, gain };
      }
    }
    return best;
  };

  const trees: Tree[] = [];
  const trainLoss: number[] = [];
  for (let t = 0; t < nTrees; t++) {
    for (let i = 0; i < n; i++) resid[i] = y[i]! - pred[i]!;
    let sample: Int32Array;
    if (sampleSize >= n) {
      sample = perm.slice();
    } else {
      // Partial Fisher-Yates: the first sampleSize slots become a uniform draw without replacement.
      for (let k = 0; k < sampleSize; k++) {
        const j = k + Math.floor(rand() * (n - k));
        const tmp = perm[k]!;
        perm[k] = perm[j]!;
        perm[j] = tmp;
      }
      sample = perm.slice(0, sampleSize).sort();
    }

    const feature: number[] = [];
    const threshold: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const value: number[] = [];
    const splitBin: number[] = [];
    const grow = (idx: Int32Array, depth: number): number => {
      const id = feature.length;
      feature.push(-1);
      threshold.push(0);
      left.push(-1);
      right.push(-1);
      value.push(0);
      splitBin.push(-1);
      const split = depth < maxDepth && idx.length >= 2 * minSamplesLeaf ? bestSplit(idx) : null;
      if (split === null) {
        let g = 0;
        for (const i of idx) g += resid[i]!;
        value[id] = Math.fround((learningRate * g) / (idx.length + l2));
        return id;
      }
      const off = split.feature * n;
      const l = idx.filter((i) => bins[off + i]! <= split.bin);
      const r = idx.filter((i) => bins[off + i]! > split.bin);
      feature[id] = split.feature;
      threshold[id] = threshold32(cuts, split);
      splitBin[id] = split.bin;
      left[id] = grow(l, depth + 1);
      right[id] = grow(r, depth + 1);
      return id;
    };
    grow(sample, 0);

    // Update every row (not just the sample) via bin codes, identical to threshold routing.
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let node = 0;
      while (feature[node]! >= 0) node = bins[feature[node]! * n + i]! <= splitBin[node]! ? left[node]! : right[node]!;
      pred[i]! += value[node]!;
      loss += (y[i]! - pred[i]!) ** 2;
    }
    trainLoss.push(loss / n);
    trees.push({
      feature: Int32Array.from(feature),
      threshold: Float64Array.from(threshold),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      value: Float64Array.from(value),
    });
    onProgress?.(t + 1, nTrees);
  }
  return { ensemble: { base, trees, nFeatures }, trainLoss };
}

/** Routes like onnxruntime on a float32 input: `fround(x) <= threshold` goes left. */
export function predictEnsemble(ens: Ensemble, row: ArrayLike<number>): number {
  if (row.length < ens.nFeatures) throw new RangeError(`row has ${row.length} features, expected ${ens.nFeatures}`);
  let out = ens.base;
  for (const tree of ens.trees) {
    let node = 0;
    while (tree.feature[node]! >= 0) {
      node = Math.fround(row[tree.feature[node]!]!) <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
    }
    out += tree.value[node]!;
  }
  return out;
}
