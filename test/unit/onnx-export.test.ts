import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as ortNode from 'onnxruntime-node';
import * as ort from 'onnxruntime-web/wasm';
import protobuf from 'protobufjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { predictEnsemble, trainGbdt, type Ensemble, type GbdtParams, type Tree } from '../../src/build/gbdt.js';
import { ensembleToOnnx, type OnnxExportOptions } from '../../src/build/onnx-export.js';
import { fitOn } from '../../models/bike-daily/build.js';
import { readDayCsv } from '../../models/bike-daily/data.js';
import { legacyEnsembleToOnnx } from '../fixtures/onnx-legacy-export.js';

const require = createRequire(import.meta.url);
const protoPath = fileURLToPath(new URL('../fixtures/onnx-ml.proto', import.meta.url));

const params: GbdtParams = {
  nTrees: 120,
  maxDepth: 4,
  learningRate: 0.1,
  minSamplesLeaf: 3,
  subsample: 0.8,
  maxBins: 32,
  l2: 1,
  seed: 3,
};
const F = 6;

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

function dataset(n: number, seed: number) {
  const r = lcg(seed);
  const x = new Float64Array(n * F).map(() => Math.fround(r() * 20 - 10));
  const y = Array.from({ length: n }, (_, i) => {
    const v = x.subarray(i * F, i * F + F);
    return 50 + 5 * Math.sin(v[0]!) + (v[1]! > 2 ? 8 : 0) + v[2]! * v[3]! * 0.2 - Math.abs(v[4]!) + r();
  });
  return { x, y };
}

async function runOrt(model: Uint8Array, x: Float32Array, n: number, inputName = 'features', outputName = 'prediction') {
  const session = await ort.InferenceSession.create(model);
  try {
    const out = await session.run({ [inputName]: new ort.Tensor('float32', x, [n, F]) });
    const tensor = out[outputName]!;
    expect(tensor.type).toBe('float32');
    expect(tensor.dims).toEqual([n, 1]);
    return tensor.data as Float32Array;
  } finally {
    await session.release();
  }
}

let ensemble: Ensemble;

beforeAll(() => {
  // The bundled build fetches its .wasm by URL, which Node cannot do for file:// URLs.
  ort.env.wasm.wasmBinary = readFileSync(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  ort.env.wasm.numThreads = 1;
  const { x, y } = dataset(500, 11);
  ensemble = trainGbdt(x, F, y, params).ensemble;
});

describe('ensembleToOnnx', () => {
  it('is byte-for-byte deterministic and sensitive to the ensemble', () => {
    const { x, y } = dataset(500, 11);
    const retrained = trainGbdt(x, F, y, params).ensemble;
    const a = ensembleToOnnx(ensemble);
    expect(ensembleToOnnx(ensemble)).toEqual(a);
    expect(ensembleToOnnx(retrained)).toEqual(a);
    const other = trainGbdt(x, F, y, { ...params, seed: 4 }).ensemble;
    expect(ensembleToOnnx(other)).not.toEqual(a);
  });

  it('matches predictEnsemble in onnxruntime-web on random and boundary inputs', async () => {
    const n = 400;
    const r = lcg(99);
    // Wider than the training range, so extrapolation paths are exercised too.
    const x = new Float32Array(n * F).map(() => r() * 30 - 15);
    // Put exact thresholds in some rows: BRANCH_LEQ must send them left in both implementations.
    const thresholds = ensemble.trees.flatMap((t) => [...t.feature].flatMap((f, k) => (f >= 0 ? [[f, t.threshold[k]!] as const] : [])));
    for (let i = 0; i < 100; i++) {
      const [f, thr] = thresholds[(i * 37) % thresholds.length]!;
      x[i * F + f] = thr;
    }
    const got = await runOrt(ensembleToOnnx(ensemble), x, n);
    let maxRel = 0;
    for (let i = 0; i < n; i++) {
      const want = predictEnsemble(ensemble, x.subarray(i * F, i * F + F));
      maxRel = Math.max(maxRel, Math.abs(got[i]! - want) / Math.abs(want));
    }
    expect(maxRel).toBeLessThan(1e-5);
  });

  it('runs in onnxruntime-node as in onnxruntime-web', async () => {
    const n = 50;
    const r = lcg(7);
    const x = new Float32Array(n * F).map(() => r() * 30 - 15);
    const model = ensembleToOnnx(ensemble);
    const session = await ortNode.InferenceSession.create(model);
    try {
      const out = await session.run({ features: new ortNode.Tensor('float32', x, [n, F]) });
      expect(out.prediction!.dims).toEqual([n, 1]);
      const web = await runOrt(model, x, n);
      // The native build may sum trees in another order (threads), so not bit-for-bit.
      (out.prediction!.data as Float32Array).forEach((v, i) => expect(Math.abs(v - web[i]!)).toBeLessThan(1e-5 * Math.abs(web[i]!)));
    } finally {
      await session.release();
    }
  });

  it('routes a stump exactly like the trainer, including x == threshold', async () => {
    const xs = Array.from({ length: 20 }, (_, i) => Math.fround(i / 20));
    const xm = new Float64Array(20 * F);
    xs.forEach((v, i) => (xm[i * F + 2] = v));
    const stump = trainGbdt(
      xm,
      F,
      xs.map((v) => (v < 0.5 ? 1 : 5)),
      {
        ...params,
        nTrees: 1,
        maxDepth: 1,
        learningRate: 1,
        minSamplesLeaf: 1,
        subsample: 1,
        l2: 0,
      },
    ).ensemble;
    const thr = stump.trees[0]!.threshold[0]!;
    const probes = [-1, 0.45, thr, Math.fround(thr + 1e-7), 0.5, 2];
    const x = new Float32Array(probes.length * F);
    probes.forEach((v, i) => (x[i * F + 2] = v));
    const got = await runOrt(ensembleToOnnx(stump, { inputName: 'x', outputName: 'y' }), x, probes.length, 'x', 'y');
    expect(Array.from(got)).toEqual([1, 1, 1, 5, 5, 5]);
  });

  it('decodes with the unmodified schema into the expected TreeEnsembleRegressor', () => {
    const bytes = ensembleToOnnx({ ...ensemble, featureNames: ['a', 'b', 'c', 'd', 'e', 'f'] }, { producerName: 'test', docString: 'doc' });
    const Model = protobuf.loadSync(protoPath).lookupType('onnx.ModelProto');
    const m = Model.toObject(Model.decode(bytes), { longs: Number, bytes: String, defaults: false });
    expect(m.irVersion).toBe(8);
    expect(m.producerName).toBe('test');
    expect(m.docString).toBe('doc');
    expect(m.opsetImport).toEqual([
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ]);
    expect(m.metadataProps).toEqual([{ key: 'feature_names', value: '["a","b","c","d","e","f"]' }]);
    const { node, input, output } = m.graph;
    expect(input[0].name).toBe('features');
    expect(input[0].type.tensorType.elemType).toBe(1);
    expect(input[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'N' }, { dimValue: F }]);
    expect(output[0].name).toBe('prediction');
    expect(output[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'N' }, { dimValue: 1 }]);
    expect(node).toHaveLength(1);
    expect(node[0].opType).toBe('TreeEnsembleRegressor');
    expect(node[0].domain).toBe('ai.onnx.ml');

    const attr = Object.fromEntries(node[0].attribute.map((a: { name: string }) => [a.name, a]));
    const text = (s: string) => Buffer.from(s, 'base64').toString('utf8');
    const allNodes = ensemble.trees.flatMap((t, ti) => [...t.feature].map((f, k) => ({ t, ti, f, k })));
    const leaves = allNodes.filter((e) => e.f < 0);
    const branches = allNodes.filter((e) => e.f >= 0);
    expect(text(attr.aggregate_function.s)).toBe('SUM');
    expect(text(attr.post_transform.s)).toBe('NONE');
    expect(attr.n_targets.i).toBe(1);
    expect(attr.base_values.floats).toEqual([ensemble.base]);
    expect(attr.nodes_treeids.ints).toEqual(allNodes.map((e) => e.ti));
    expect(attr.nodes_nodeids.ints).toEqual(allNodes.map((e) => e.k));
    expect(attr.nodes_modes.strings.map(text)).toEqual(allNodes.map((e) => (e.f < 0 ? 'LEAF' : 'BRANCH_LEQ')));
    // Leaves carry zeros in the per-node arrays, which must all have one entry per node.
    const perNode = (get: (e: (typeof allNodes)[number]) => number) => allNodes.map((e) => (e.f < 0 ? 0 : get(e)));
    expect(attr.nodes_featureids.ints).toEqual(perNode((e) => e.f));
    expect(attr.nodes_values.floats).toEqual(perNode((e) => e.t.threshold[e.k]!));
    expect(attr.nodes_truenodeids.ints).toEqual(perNode((e) => e.t.left[e.k]!));
    expect(attr.nodes_falsenodeids.ints).toEqual(perNode((e) => e.t.right[e.k]!));
    expect(branches.length).toBeGreaterThan(params.nTrees);
    expect(attr.target_treeids.ints).toEqual(leaves.map((e) => e.ti));
    expect(attr.target_nodeids.ints).toEqual(leaves.map((e) => e.k));
    expect(attr.target_ids.ints).toEqual(leaves.map(() => 0));
    expect(attr.target_weights.floats).toEqual(leaves.map((e) => e.t.value[e.k]));
  });

  it('packs numeric attributes (smaller than the schema-default encoding)', () => {
    const bytes = ensembleToOnnx(ensemble);
    const Model = protobuf.loadSync(protoPath).lookupType('onnx.ModelProto');
    const unpacked = Model.encode(Model.decode(bytes)).finish();
    const nodes = ensemble.trees.reduce((s, t) => s + t.feature.length, 0);
    expect(bytes.length).toBeLessThan(unpacked.length * 0.8);
    // Floor set by the string nodes_modes attribute; well above it would mean a regression.
    expect(bytes.length / nodes).toBeLessThan(25);
  });
});

/** A one-tree ensemble with the given [feature, threshold] splits under the root's left spine. */
function handmade(base: number, splits: Array<[number, number]>, leaves: number[], featureNames?: string[]): Ensemble {
  const n = splits.length * 2 + 1;
  const tree: Tree = {
    feature: new Int32Array(n).fill(-1),
    threshold: new Float64Array(n),
    left: new Int32Array(n).fill(-1),
    right: new Int32Array(n).fill(-1),
    value: new Float64Array(n),
  };
  splits.forEach(([f, thr], i) => {
    const k = i * 2; // a branch whose left child is the next branch (or the last leaf) and right a leaf
    tree.feature[k] = f;
    tree.threshold[k] = thr;
    tree.left[k] = k + 2 < n ? k + 2 : k + 1;
    tree.right[k] = k + 1;
  });
  const leafIds = [...tree.feature.keys()].filter((k) => tree.feature[k]! < 0);
  leaves.forEach((v, i) => (tree.value[leafIds[i]!] = v));
  return { base, trees: [tree], nFeatures: 8, featureNames };
}

describe('ensembleToOnnx writes the same bytes as the protobufjs export it replaced', () => {
  const same = (ens: Ensemble, options?: OnnxExportOptions) => {
    const bytes = ensembleToOnnx(ens, options);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(bytes).equals(Buffer.from(legacyEnsembleToOnnx(ens, options)))).toBe(true);
  };

  it('for trained ensembles, with and without feature names and options', () => {
    same(ensemble);
    same({ ...ensemble, featureNames: ['a', 'b', 'c', 'd', 'e', 'f'] }, { producerName: 'test', docString: 'doc' });
    same(ensemble, { inputName: 'x', outputName: 'y', docString: '' });
    const { x, y } = dataset(300, 5);
    same(trainGbdt(x, F, y, { ...params, nTrees: 3, maxDepth: 6, minSamplesLeaf: 1 }).ensemble, { producerName: '' });
  });

  it('for edge-case floats, ids and text (negative, -0, subnormal, huge, infinite; non-ASCII and long names)', () => {
    same(
      handmade(
        -0,
        [
          [0, -1e-40],
          [7, 3.4e38],
          [3, -Infinity],
        ],
        [Infinity, -5e-324, 1e300, -0],
      ),
    );
    same(handmade(123.456, [[1, 0.1]], [-1, 2], ['température', '日本語', '🚲'.repeat(20), 'x'.repeat(200), '', 'a"b\\c', 'é', 'z']));
    same(handmade(0, [], [42]), { docString: 'ünïcødé '.repeat(30), producerName: 'p'.repeat(300) });
    same({ base: 1, trees: [], nFeatures: 0 });
  });

  // bike-model.test.ts checks that the committed models/bike-daily/model.onnx is reproduced too.
  it('for the bike-daily ensemble', async () => {
    const { ensemble: bike } = await fitOn(readDayCsv(), { createdAt: 'test', split: 'test' });
    same(bike);
    same(bike, { producerName: 'featurecast-test', docString: 'bike' });
  });
});
