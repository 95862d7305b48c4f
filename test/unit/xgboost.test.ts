import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-web/wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.js';
import { decodeModel, type OnnxAttribute } from '../../src/onnx/model.js';
import { evaluateXgboost, xgboostToOnnx } from '../../src/build/xgboost.js';
import { tinyModel, type TinyTree } from '../fixtures/xgboost/tiny-model.js';

const require = createRequire(import.meta.url);
const dir = new URL('../fixtures/xgboost/', import.meta.url);

const SIGMOID = ['Neg', 'Exp', 'Add', 'Reciprocal'];

/** Every fixture test/fixtures/xgboost/make_fixtures.py writes, with what its conversion must say. */
const FIXTURES = [
  { name: 'regression', objective: 'reg:squarederror', classes: 0, link: [] },
  { name: 'reg_logistic', objective: 'reg:logistic', classes: 0, link: SIGMOID },
  { name: 'poisson', objective: 'count:poisson', classes: 0, link: ['Exp'] },
  { name: 'binary', objective: 'binary:logistic', classes: 2, link: ['Exp', 'Add', 'Reciprocal', ...SIGMOID, 'Concat'] },
  { name: 'multiclass', objective: 'multi:softprob', classes: 3, link: ['Softmax'] },
  { name: 'multiclass_softmax', objective: 'multi:softmax', classes: 4, link: ['Softmax'] },
  { name: 'missing', objective: 'reg:squarederror', classes: 0, link: [] },
  { name: 'gamma', objective: 'reg:gamma', classes: 0, link: ['Exp'] },
  { name: 'tweedie', objective: 'reg:tweedie', classes: 0, link: ['Exp'] },
  { name: 'pseudohuber', objective: 'reg:pseudohubererror', classes: 0, link: [] },
  { name: 'absoluteerror', objective: 'reg:absoluteerror', classes: 0, link: [] },
  { name: 'squaredlogerror', objective: 'reg:squaredlogerror', classes: 0, link: [] },
] as const;

const TOLERANCE = 1e-5;

function readCsv(name: string): { header: string[]; rows: number[][] } {
  const [header, ...lines] = readFileSync(new URL(name, dir), 'utf8').trim().split('\n');
  return { header: header!.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
}

interface Fixture {
  json: unknown;
  x: Float32Array;
  n: number;
  width: number;
  /** XGBoost's outputs as the converted model gives them: [prediction], [1 − p, p] or K probabilities. */
  expected: number[][];
}

function loadFixture(name: string): Fixture {
  const json: unknown = JSON.parse(readFileSync(new URL(`${name}.model.json`, dir), 'utf8'));
  const features = readCsv(`${name}.features.csv`);
  const predictions = readCsv(`${name}.predictions.csv`);
  const width = features.header.length;
  const binary = predictions.header.length === 1 && predictions.header[0] === 'p1';
  return {
    json,
    x: Float32Array.from(features.rows.flat()),
    n: features.rows.length,
    width,
    expected: predictions.rows.map((r) => (binary ? [1 - r[0]!, r[0]!] : r)),
  };
}

async function runOrt(model: Uint8Array, x: Float32Array, n: number, width: number, outputName: string) {
  const session = await ort.InferenceSession.create(model);
  try {
    const out = await session.run({ features: new ort.Tensor('float32', x, [n, width]) });
    expect(session.outputNames).toEqual([outputName]);
    return out[outputName]!;
  } finally {
    await session.release();
  }
}

/** |a − b| / |b|; the absolute difference where b is 0. */
const relative = (a: number, b: number) => Math.abs(a - b) / (b === 0 ? 1 : Math.abs(b));

/** Largest relative difference over every value; column 0 of binary rows (1 − p) is compared absolutely, see below. */
function worst(actual: (i: number, k: number) => number, expected: number[][], binary: boolean): number {
  let max = 0;
  expected.forEach((row, i) =>
    row.forEach((e, k) => {
      // XGBoost reports p alone, in float32; 1 − p from it has only p's absolute precision.
      const d = binary && k === 0 ? Math.abs(actual(i, k) - e) : relative(actual(i, k), e);
      max = Math.max(max, d);
    }),
  );
  return max;
}

const attr = (attrs: OnnxAttribute[] | undefined, name: string) => attrs?.find((a) => a.name === name);

beforeAll(() => {
  // The bundled build fetches its .wasm by URL, which Node cannot do for file:// URLs.
  ort.env.wasm.wasmBinary = readFileSync(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  ort.env.wasm.numThreads = 1;
});

describe('xgboostToOnnx on models trained by XGBoost', () => {
  for (const f of FIXTURES) {
    it(`${f.name} (${f.objective}): onnxruntime-web and the reference evaluator equal XGBoost's predict`, async () => {
      const { json, x, n, width, expected } = loadFixture(f.name);
      const converted = xgboostToOnnx(json, { width });
      const regression = f.classes === 0;
      expect(converted).toMatchObject({
        kind: regression ? 'regression' : 'classification',
        classes: f.classes,
        outputName: regression ? 'prediction' : 'probabilities',
        objective: f.objective,
      });
      const cols = regression ? 1 : f.classes;
      expect(expected.every((r) => r.length === cols)).toBe(true);

      const tensor = await runOrt(converted.model, x, n, width, converted.outputName);
      expect(tensor.type).toBe('float32');
      expect(tensor.dims).toEqual([n, cols]);
      const data = tensor.data as Float32Array;
      const binary = f.classes === 2;
      const onnxDiff = worst((i, k) => data[i * cols + k]!, expected, binary);

      const reference = evaluateXgboost(json, x, n, width);
      expect(reference.every((r) => r.length === cols)).toBe(true);
      const refDiff = worst((i, k) => reference[i]![k]!, expected, binary);

      console.info(
        `xgboost ${f.name}: max relative difference to XGBoost: onnx ${onnxDiff.toExponential(2)}, reference ${refDiff.toExponential(2)}`,
      );
      expect(onnxDiff).toBeLessThanOrEqual(TOLERANCE);
      expect(refDiff).toBeLessThanOrEqual(TOLERANCE);
      if (!regression) {
        for (let i = 0; i < n; i++) {
          let sum = 0;
          for (let k = 0; k < cols; k++) sum += data[i * cols + k]!;
          expect(sum).toBeCloseTo(1, 6);
        }
      }
    });
  }

  it('fixtures cover NaN rows, planted thresholds, both default directions and pruned (deleted) nodes', () => {
    for (const f of FIXTURES) {
      const { x } = loadFixture(f.name);
      expect(x.some(Number.isNaN), f.name).toBe(true);
    }
    const trees = (name: string) =>
      (loadFixture(name).json as { learner: { gradient_booster: { model: { trees: Array<Record<string, unknown>> } } } }).learner
        .gradient_booster.model.trees;
    const defaults = new Set(
      trees('missing').flatMap((t) => (t.default_left as number[]).filter((_, k) => (t.left_children as number[])[k] !== -1)),
    );
    expect([...defaults].sort()).toEqual([0, 1]);
    expect(trees('regression').some((t) => Number((t.tree_param as Record<string, string>).num_deleted) > 0)).toBe(true);
  });
});

describe('xgboostToOnnx graph', () => {
  it('is one TreeEnsembleRegressor (BRANCH_LT, missing-value directions) then the link as standard ops', () => {
    for (const f of FIXTURES) {
      const { json, width } = loadFixture(f.name);
      const model = decodeModel(xgboostToOnnx(json, { width, inputName: 'x' }).model);
      const graph = model.graph!;
      expect(
        graph.node!.map((node) => node.opType),
        f.name,
      ).toEqual(['TreeEnsembleRegressor', ...f.link]);
      expect(model.opsetImport).toEqual([
        { domain: '', version: 17 },
        { domain: 'ai.onnx.ml', version: 3 },
      ]);
      expect(graph.input).toEqual([
        { name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } } },
      ]);
      const cols = f.classes === 0 ? 1 : f.classes;
      expect(graph.output!.map((o) => [o.name, o.type?.tensorType?.shape?.dim])).toEqual([
        [f.classes === 0 ? 'prediction' : 'probabilities', [{ dimParam: 'N' }, { dimValue: cols }]],
      ]);
      const trees = graph.node![0]!;
      expect(trees.domain).toBe('ai.onnx.ml');
      expect(new Set(attr(trees.attribute, 'nodes_modes')!.strings)).toEqual(new Set(['BRANCH_LT', 'LEAF']));
      expect(attr(trees.attribute, 'n_targets')!.i).toBe(f.classes > 2 ? f.classes : 1);
      expect(attr(trees.attribute, 'post_transform')!.s).toBe('NONE');
      const missing = attr(trees.attribute, 'nodes_missing_value_tracks_true')!.ints!;
      expect(missing.length).toBe(attr(trees.attribute, 'nodes_modes')!.strings!.length);
    }
  });

  it('turns base_score into the objective’s margin', () => {
    const base = (name: string) => {
      const { json, width } = loadFixture(name);
      const trees = decodeModel(xgboostToOnnx(json, { width }).model).graph!.node![0]!;
      return attr(trees.attribute, 'base_values')!.floats!;
    };
    expect(base('regression')).toEqual([7.5]);
    expect(base('binary')[0]).toBeCloseTo(Math.log(0.25 / 0.75), 6);
    expect(base('reg_logistic')[0]).toBeCloseTo(Math.log(0.3 / 0.7), 6);
    expect(base('poisson')[0]).toBeCloseTo(Math.log(2), 6);
    expect(base('multiclass_softmax')).toEqual([0.2, 0.2, 0.2, 0.2].map(Math.fround));
  });

  it('keeps only reachable nodes: a pruned tree converts without its deleted nodes', () => {
    const { json, width } = loadFixture('regression');
    const trees = (
      json as { learner: { gradient_booster: { model: { trees: Array<{ tree_param: { num_nodes: string; num_deleted: string } }> } } } }
    ).learner.gradient_booster.model.trees;
    const stored = trees.reduce((s, t) => s + Number(t.tree_param.num_nodes), 0);
    const deleted = trees.reduce((s, t) => s + Number(t.tree_param.num_deleted), 0);
    const converted = decodeModel(xgboostToOnnx(json, { width }).model).graph!.node![0]!;
    expect(attr(converted.attribute, 'nodes_nodeids')!.ints!.length).toBe(stored - deleted);
  });
});

async function both(json: unknown, rows: number[][]) {
  const width = rows[0]!.length;
  const x = Float32Array.from(rows.flat());
  const converted = xgboostToOnnx(json, { width });
  const tensor = await runOrt(converted.model, x, rows.length, width, converted.outputName);
  const cols = tensor.dims[1]!;
  const data = tensor.data as Float32Array;
  return {
    onnx: rows.map((_, i) => [...data.subarray(i * cols, i * cols + cols)]),
    reference: evaluateXgboost(json, x, rows.length, width).map((r) => [...r]),
  };
}

describe('xgboostToOnnx on hand-made models', () => {
  it('routes x == threshold right (x < t), NaN by default_left, ±Infinity by comparison', async () => {
    const json = tinyModel('reg:squarederror', [
      { feature: 0, threshold: 0.5, left: -1, right: 1, defaultLeft: 1 },
      { feature: 1, threshold: -0.25, left: 10, right: 20, defaultLeft: 0 },
    ]);
    const rows = [
      [NaN, NaN],
      [0.5, -0.25],
      [Math.fround(0.5 - 2 ** -25), Math.fround(-0.25 - 2 ** -25)],
      [Infinity, -Infinity],
      [-Infinity, Infinity],
    ];
    const expected = [[0.5 - 1 + 20], [0.5 + 1 + 20], [0.5 - 1 + 10], [0.5 + 1 + 10], [0.5 - 1 + 20]];
    const { onnx, reference } = await both(json, rows);
    expect(onnx).toEqual(expected);
    expect(reference).toEqual(expected);
  });

  it('stays within 1e-5 relative in the tails of the sigmoid and the softmax (margins −40..40), and runs single-leaf trees', async () => {
    // Tree 0 is a lone leaf; the others add 2 each time x passes their threshold.
    const ramp = (group?: number, sign = 1): TinyTree[] => [
      { leaf: -40.5 * sign, group },
      ...Array.from({ length: 40 }, (_, k) => ({
        feature: 0,
        threshold: k * 2 - 39.5,
        left: 0,
        right: 2 * sign,
        defaultLeft: 0 as const,
        group,
      })),
    ];
    const rows = Array.from({ length: 41 }, (_, k) => [k * 2 - 40]);
    const cases = [
      tinyModel('binary:logistic', ramp(), { width: 1 }),
      tinyModel('reg:logistic', ramp(), { width: 1 }),
      tinyModel(
        'count:poisson',
        ramp().map((t) => ('leaf' in t ? { leaf: -20 } : { ...t, right: 1 })),
        { width: 1, baseScore: '1' },
      ),
      tinyModel('multi:softprob', [...ramp(0), ...ramp(1, -1), { leaf: 0, group: 2 }], { width: 1, numClass: 3 }),
    ];
    for (const json of cases) {
      const { onnx, reference } = await both(json, rows);
      const diff = worst((i, k) => onnx[i]![k]!, reference, false);
      expect(diff, json.learner.objective.name).toBeLessThanOrEqual(TOLERANCE);
      expect(Math.min(...reference.flat()), json.learner.objective.name).toBeLessThan(1e-8);
    }
  });

  it('reads base_score as XGBoost 3.1 writes it, one value per class in brackets', async () => {
    const trees: TinyTree[] = [0, 1, 2].map((group) => ({ feature: 0, threshold: 0, left: group, right: -group, defaultLeft: 1, group }));
    const scalar = tinyModel('multi:softprob', trees, { numClass: 3, baseScore: '5E-1' });
    const bracketed = tinyModel('multi:softprob', trees, { numClass: 3, baseScore: '[5E-1]' });
    const perClass = tinyModel('multi:softprob', trees, { numClass: 3, baseScore: '[1E-1,2E-1,3E-1]' });
    const rows = [
      [-1, 0],
      [1, 0],
      [NaN, 0],
    ];
    expect((await both(bracketed, rows)).onnx).toEqual((await both(scalar, rows)).onnx);
    const baseValues = (json: unknown) =>
      attr(decodeModel(xgboostToOnnx(json, { width: 2 }).model).graph!.node![0]!.attribute, 'base_values')!.floats;
    expect(baseValues(perClass)).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    const { onnx, reference } = await both(perClass, rows);
    expect(worst((i, k) => onnx[i]![k]!, reference, false)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('xgboostToOnnx refusals', () => {
  type Model = ReturnType<typeof tinyModel>;
  const stump: TinyTree = { feature: 1, threshold: 0.5, left: -1, right: 1, defaultLeft: 1 };
  const variant = (edit: (m: Model) => void, objective = 'reg:squarederror', options: Parameters<typeof tinyModel>[2] = {}) => {
    const m = tinyModel(objective, [stump], options);
    edit(m);
    return m;
  };
  const anyTree = (m: Model) => m.learner.gradient_booster.model.trees[0] as Record<string, unknown>;

  const cases: Array<[string, unknown, string | RegExp, number?]> = [
    ['not an XGBoost model', { nodes: [] }, 'learner is missing'],
    ['DART', variant((m) => (m.learner.gradient_booster.name = 'dart')), 'learner.gradient_booster.name is "dart"'],
    ['gblinear', variant((m) => (m.learner.gradient_booster.name = 'gblinear')), 'learner.gradient_booster.name is "gblinear"'],
    ['an unknown objective', variant(() => {}, 'rank:pairwise'), 'learner.objective.name is "rank:pairwise"'],
    [
      'binary:logitraw (raw margins, no probabilities)',
      variant(() => {}, 'binary:logitraw'),
      'learner.objective.name is "binary:logitraw"',
    ],
    ['a categorical split (split_type)', variant((m) => (anyTree(m).split_type = [1, 0, 0])), 'trees[0].split_type[0] is 1'],
    [
      'a categorical split (categories)',
      variant((m) =>
        Object.assign(anyTree(m), { categories: [2], categories_nodes: [0], categories_segments: [0], categories_sizes: [1] }),
      ),
      'trees[0].categories is not empty',
    ],
    [
      'a feature beyond the pipeline',
      variant((m) => ((anyTree(m).split_indices as number[])[0] = 12), 'reg:squarederror', { width: 10 }),
      /^model\.json uses feature 12 \(learner\.gradient_booster\.model\.trees\[0\]\.split_indices\[0\]\), the pipeline writes 10 columns$/,
      10,
    ],
    [
      'a model trained on other columns',
      variant(() => {}, 'reg:squarederror', { width: 12 }),
      'learner.learner_model_param.num_feature is 12',
      10,
    ],
    [
      'multi-target regression',
      variant((m) => (m.learner.learner_model_param.num_target = '2')),
      'learner.learner_model_param.num_target is 2',
    ],
    [
      'multi-output trees',
      variant((m) => (m.learner.gradient_booster.model.gbtree_model_param.size_leaf_vector = '2')),
      'gbtree_model_param.size_leaf_vector is 2',
    ],
    ['multi:softprob without num_class', variant(() => {}, 'multi:softprob'), 'learner.learner_model_param.num_class is 0'],
    [
      'an unreadable base_score',
      variant((m) => (m.learner.learner_model_param.base_score = 'half')),
      'learner.learner_model_param.base_score is "half"',
    ],
    [
      'base_score for the wrong number of outputs',
      variant((m) => (m.learner.learner_model_param.base_score = '[1E-1,2E-1]')),
      'learner.learner_model_param.base_score is "[1E-1,2E-1]"',
    ],
    [
      'a base_score outside (0, 1) under count:poisson',
      variant((m) => (m.learner.learner_model_param.base_score = '-1'), 'count:poisson'),
      'learner.learner_model_param.base_score has no margin',
    ],
    [
      'tree_info of the wrong length',
      variant((m) => (m.learner.gradient_booster.model.tree_info = [])),
      'learner.gradient_booster.model.tree_info',
    ],
    [
      'no trees',
      variant((m) => Object.assign(m.learner.gradient_booster.model, { trees: [], tree_info: [] })),
      'learner.gradient_booster.model.trees is empty',
    ],
    [
      'a child index outside the tree',
      variant((m) => ((anyTree(m).right_children as number[])[0] = 7)),
      'trees[0]: node 7 is not a valid child',
    ],
    ['a tree array of the wrong length', variant((m) => (anyTree(m).default_left = [1])), 'trees[0].default_left is not an array of 3'],
  ];

  for (const [what, json, message, width = 2] of cases) {
    it(`refuses ${what}, naming the field`, () => {
      let error: unknown;
      try {
        xgboostToOnnx(json, { width });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SpecError);
      expect((error as SpecError).code).toBe('ERR_SPEC');
      expect((error as SpecError).message).toMatch(
        message instanceof RegExp ? message : new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      );
      // The reference evaluator reads the model the same way, so refuses it alike.
      expect(() => evaluateXgboost(json, new Float32Array(width), 1, width)).toThrow(SpecError);
    });
  }

  it('ignores deleted nodes, whatever feature index they hold', () => {
    const m = tinyModel('reg:squarederror', [stump]);
    // A pruner-deleted node: unreachable, with XGBoost's deleted marker as its feature.
    const tree = anyTree(m) as Record<string, unknown[]> & { tree_param: Record<string, string> };
    for (const [key, value] of Object.entries({
      left_children: -1,
      right_children: -1,
      parents: 0,
      split_indices: 2147483647,
      split_conditions: 0,
      default_left: 1,
      split_type: 0,
      base_weights: 0,
      loss_changes: 0,
      sum_hessian: 0,
    }))
      tree[key]!.push(value);
    tree.tree_param.num_nodes = '4';
    tree.tree_param.num_deleted = '1';
    expect(evaluateXgboost(m, Float32Array.of(0, 1), 1, 2)).toEqual([Float64Array.of(1.5)]);
    expect(() => xgboostToOnnx(m, { width: 2 })).not.toThrow();
  });
});
