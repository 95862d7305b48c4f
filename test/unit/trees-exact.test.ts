import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { xgboostToOnnx } from '../../src/build/xgboost.js';
import { createSession, type SessionSpec } from '../../src/engine/engines/session.js';
import { createTreeSession, readTreeEnsemble } from '../../src/engine/engines/trees/index.js';
import { decodeModel } from '../../src/onnx/model.js';
import { XGBOOST_FIXTURES, fixturePath } from '../fixtures/xgboost/bundles.js';
import { fuzzRows, POOL, synthModel, WIDTH, type SynthOptions } from '../fixtures/trees/synthetic.js';
import { compilePipeline } from '../../src/features/pipeline.js';
import type { Manifest } from '../../src/schema/manifest.js';

/**
 * The tree engine against onnxruntime-web (single-threaded wasm, so deterministic) on the same
 * float32 rows: the models' own rows and 100,000 fuzzed ones (thresholds and their float32
 * neighbours, NaN, ±∞, subnormals, ±0, huge values). Outputs must be equal bit for bit, post
 * transforms included (trees/mathf.ts computes expf/logf as onnxruntime's libc does); no case
 * needs a tolerance. NaN equals NaN whatever its payload.
 */
const FUZZ_ROWS = 100_000;

const bits = new Float32Array(1);
const word = new Int32Array(bits.buffer);
/** Distance in float32 steps, sign-aware; NaN equals NaN. */
function ulps(a: number, b: number): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  const key = (x: number) => {
    bits[0] = x;
    return word[0]! < 0 ? -(word[0]! & 0x7fffffff) : word[0]!;
  };
  return Math.abs(key(a) - key(b)) || (Object.is(a, b) ? 0 : 1);
}

interface Outcome {
  values: number;
  different: number;
  maxUlps: number;
  first?: string;
}

/** Runs both engines on `matrix`; `columns` limits the comparison to the first columns. */
async function compare(model: Uint8Array, spec: SessionSpec, matrix: Float32Array, columns?: number): Promise<Outcome> {
  const ensemble = readTreeEnsemble(decodeModel(model), spec);
  if ('unsupported' in ensemble) throw new Error(ensemble.unsupported);
  const rows = matrix.length / spec.width;
  const ours = await createTreeSession(ensemble, spec);
  const ort = await createSession(model, spec, { engine: 'onnxruntime' });
  const [a, b] = [await ours.run(matrix, rows), await ort.run(matrix, rows)];
  await ours.release();
  await ort.release();
  expect(a.length).toBe(b.length);
  const width = a.length / rows;
  const outcome: Outcome = { values: 0, different: 0, maxUlps: 0 };
  for (let i = 0; i < a.length; i++) {
    if (columns !== undefined && i % width >= columns) continue;
    outcome.values++;
    const d = ulps(a[i]!, b[i]!);
    if (d === 0) continue;
    outcome.different++;
    outcome.maxUlps = Math.max(outcome.maxUlps, d);
    outcome.first ??= `row ${Math.floor(i / width)} column ${i % width}: ours ${a[i]}, onnxruntime ${b[i]}, row ${Array.from(matrix.subarray(Math.floor(i / width) * spec.width, (Math.floor(i / width) + 1) * spec.width)).join(', ')}`;
  }
  return outcome;
}

function expectExact(o: Outcome): void {
  expect(o.first ?? 'all equal', `${o.different} of ${o.values} differ, by up to ${o.maxUlps} ulps`).toBe('all equal');
  expect(o.values).toBeGreaterThan(0);
}

const fuzz = fuzzRows(FUZZ_ROWS, WIDTH, POOL);

describe('synthetic ensembles: equal to onnxruntime-web on 100,000 fuzzed rows', () => {
  const cases: Array<[string, SynthOptions]> = [];
  for (const aggregate of ['SUM', 'AVERAGE', 'MIN', 'MAX']) {
    for (const post of ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO', 'PROBIT']) {
      cases.push([
        `regressor ${aggregate} ${post}, 1 target, base value`,
        { aggregate, post, base: [0.75], missingTrue: 0.5, seed: cases.length + 1 },
      ]);
      cases.push([
        `regressor ${aggregate} ${post}, 3 targets, base values`,
        { aggregate, post, outputs: 3, base: [0.5, -1, 2], missingTrue: 0.3, seed: cases.length + 1 },
      ]);
    }
  }
  cases.push(
    ['regressor, BRANCH_LEQ only (the fast kernel)', { modes: ['BRANCH_LEQ'], trees: 40, depth: 6 }],
    ['regressor, BRANCH_LEQ with missing values tracking true', { modes: ['BRANCH_LEQ'], missingTrue: 0.5 }],
    ...['BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ'].map((m): [string, SynthOptions] => [
      `regressor, ${m} only, missing tracks true on half`,
      { modes: [m], missingTrue: 0.5, seed: 3 },
    ]),
    ['regressor, NaN thresholds in every mode', { nanThresholds: true, missingTrue: 0.5, trees: 30 }],
    ['regressor, unsorted node ids and trees', { shuffle: true, outputs: 2, base: [1, 2] }],
    ['regressor, unsorted, one target', { shuffle: true, seed: 9 }],
    ['regressor, 2 targets, no base values', { outputs: 2, aggregate: 'AVERAGE' }],
    ['regressor, deep trees', { depth: 12, trees: 5 }],
    ['regressor, every tree a single leaf', { depth: 0, trees: 5 }],
    ['regressor, 2 targets, every tree a single leaf, MIN', { depth: 0, trees: 5, outputs: 2, aggregate: 'MIN' }],
    ['regressor, leaves without weights (they add their nodes_values entry)', { leavesWithoutWeights: true, trees: 20, base: [0.5] }],
    [
      'regressor, thresholds, weights and base values as float tensors (*_as_tensor)',
      { asTensor: 'float', outputs: 2, base: [0.1, 0.2], missingTrue: 0.3 },
    ],
    [
      'classifier, thresholds and weights as float tensors',
      { op: 'TreeEnsembleClassifier', outputs: 3, asTensor: 'float', post: 'SOFTMAX' },
    ],
  );
  for (const post of ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO', 'PROBIT']) {
    cases.push([`classifier, 3 int labels, ${post}`, { op: 'TreeEnsembleClassifier', outputs: 3, post, base: [0.1, 0.2, -0.3] }]);
    cases.push([`classifier, 3 int labels, ${post}, no base values`, { op: 'TreeEnsembleClassifier', outputs: 3, post, missingTrue: 0.4 }]);
    cases.push([
      `classifier, 4 string labels, ${post}, unsorted`,
      { op: 'TreeEnsembleClassifier', outputs: 4, labels: 'string', post, shuffle: true, base: [0.1, 0.2, 0.3, 0.4] },
    ]);
    for (const base of [[], [0.3], [0.3, -0.2]]) {
      cases.push([
        `classifier, 2 labels, both classes weighted, ${post}, ${base.length} base values`,
        { op: 'TreeEnsembleClassifier', post, base, missingTrue: 0.2 },
      ]);
      for (const singleClass of [0, 1]) {
        for (const negativeWeights of [true, false]) {
          cases.push([
            `binary case: weights for class ${singleClass} only, ${negativeWeights ? 'mixed' : 'positive'} weights, ${post}, ${base.length} base values`,
            { op: 'TreeEnsembleClassifier', post, base, singleClass, negativeWeights, labels: singleClass ? 'int' : 'string' },
          ]);
        }
      }
    }
  }
  for (const [name, options] of cases) {
    it(name, async () => {
      const spec = { inputName: 'x', outputName: options.op === 'TreeEnsembleClassifier' ? 'probabilities' : 'variable', width: WIDTH };
      // Two labels, one base value or none, weights for class 0 only: onnxruntime writes one
      // score per row and leaves the second column uninitialized when the transform is PROBIT.
      const firstColumnOnly = options.singleClass === 0 && (options.base?.length ?? 0) < 2 && options.post === 'PROBIT';
      const outcome = await compare(synthModel(options), spec, fuzz, firstColumnOnly ? 1 : undefined);
      expectExact(outcome);
    });
  }
});

/** Plausible bike records over 2011–2013 (daily dates or hourly times), seeded. */
function bikeRecords(n: number, hourly: boolean): Array<Record<string, unknown>> {
  let seed = 12345;
  const next = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, (_, i) => {
    const at = new Date(Date.UTC(2011, 0, 1) + (hourly ? i * 3_600_000 * 7 : (i % 1095) * 86_400_000));
    const temperature = Math.round((next() * 30 + 3) * 10) / 10;
    return {
      ...(hourly ? { time: at.toISOString().slice(0, 16) } : { date: at.toISOString().slice(0, 10) }),
      temperature,
      feelsLike: Math.round((temperature + next() * 6 - 2) * 10) / 10,
      humidity: Math.round(30 + next() * 60),
      windSpeed: Math.round((2 + next() * 25) * 10) / 10,
      weather: ['clear', 'mist', 'light-precipitation'][Math.floor(next() * 3)],
      holiday: next() < 0.05,
    };
  });
}

/** A model's graph signature as the manifest would give it. */
function specOf(model: Uint8Array, output?: string): SessionSpec {
  const graph = decodeModel(model).graph!;
  const input = graph.input![0]!;
  const width = input.type!.tensorType!.shape!.dim![1]!.dimValue!;
  return { inputName: input.name!, outputName: output ?? graph.output![graph.output!.length - 1]!.name!, width };
}

/** Fuzz rows for a real model: its own thresholds and their neighbours as the pool. */
function fuzzFor(model: Uint8Array, width: number, rows = FUZZ_ROWS): Float32Array {
  const node = decodeModel(model).graph!.node![0]!;
  const values = node.attribute!.find((a) => a.name === 'nodes_values')?.floats ?? [];
  return fuzzRows(rows, width, [...new Set(values)].slice(0, 5000), 11);
}

describe('double *_as_tensor attributes', () => {
  it('are declined, as onnxruntime refuses them for float input', async () => {
    const model = synthModel({ asTensor: 'double' });
    const spec = { inputName: 'x', outputName: 'variable', width: WIDTH };
    expect(readTreeEnsemble(decodeModel(model), spec)).toEqual({
      unsupported: expect.stringMatching(/^nodes_values_as_tensor is a tensor\(double\)/),
    });
    await expect(createSession(model, spec, { engine: 'onnxruntime' })).rejects.toThrow(/could not unpack tensor attribute/);
  });
});

describe('real models: equal to onnxruntime-web', () => {
  for (const name of ['bike-daily', 'bike-hourly']) {
    it(`${name}: realistic records through its feature pipeline, and 100,000 fuzzed rows`, async () => {
      const model = new Uint8Array(readFileSync(`models/${name}/model.onnx`));
      const spec = specOf(model);
      const manifest = JSON.parse(readFileSync(`models/${name}/manifest.json`, 'utf8')) as Manifest;
      const records = bikeRecords(5000, name === 'bike-hourly');
      const { matrix } = compilePipeline(manifest.inputs, manifest.features).encode(records as never);
      expectExact(await compare(model, spec, matrix));
      expectExact(await compare(model, spec, fuzzFor(model, spec.width)));
    });
  }

  for (const file of ['tree-classifier.onnx', 'tree-classifier-zipmap.onnx', 'tree-classifier-zipmap-strings.onnx']) {
    it(`test/fixtures/onnx/${file}`, async () => {
      const model = new Uint8Array(readFileSync(new URL(`../fixtures/onnx/${file}`, import.meta.url)));
      const graph = decodeModel(model).graph!;
      const trees = graph.node!.find((n) => n.opType === 'TreeEnsembleClassifier')!;
      const spec = { ...specOf(model), outputName: trees.output![1]! };
      const read = readTreeEnsemble(decodeModel(model), { ...spec, outputName: graph.output![0]!.name! });
      if (graph.node!.length > 1) {
        // ZipMap after the trees: not one node, so the engine declines it.
        expect(read).toEqual({ unsupported: expect.stringMatching(/^the graph has \d+ nodes \(TreeEnsembleClassifier, .*ZipMap/) });
        return;
      }
      expectExact(await compare(model, spec, fuzzFor(model, spec.width)));
    });
  }

  for (const name of XGBOOST_FIXTURES) {
    it(`xgboost ${name}: its own rows and fuzzed rows, or declined when a link follows the trees`, async () => {
      const [head, ...lines] = readFileSync(fixturePath(name, 'features.csv'), 'utf8').trim().split('\n');
      const width = head!.split(',').length;
      const { model } = xgboostToOnnx(JSON.parse(readFileSync(fixturePath(name, 'model.json'), 'utf8')), { width });
      const spec = specOf(model);
      const graph = decodeModel(model).graph!;
      const read = readTreeEnsemble(decodeModel(model), spec);
      if (graph.node!.length > 1) {
        expect(read).toEqual({ unsupported: expect.stringMatching(/^the graph has \d+ nodes \(TreeEnsembleRegressor, /) });
        return;
      }
      const own = Float32Array.from(lines.flatMap((line) => line.split(',').map(Number)));
      expectExact(await compare(model, spec, own));
      expectExact(await compare(model, spec, fuzzFor(model, width, 20_000)));
    });
  }
});
