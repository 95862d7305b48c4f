import { describe, expect, it } from 'vitest';
import { BundleError } from '../../src/errors.js';
import { readTreeEnsemble } from '../../src/engine/engines/trees/index.js';
import { tensorInfo } from '../../src/onnx/attributes.js';
import { DataType, type OnnxModel, type OnnxNode } from '../../src/onnx/model.js';
import { synthOnnx, WIDTH } from '../fixtures/trees/synthetic.js';

/** readTreeEnsemble's answers: every reason it declines a model, and every malformed ensemble it rejects. */

const spec = { inputName: 'x', outputName: 'variable', width: WIDTH };

/** A small valid regressor: two trees, node ids in order (tree 0: 0 → 1, 2; tree 1 likewise). */
function tiny(): OnnxModel {
  return synthOnnx({ trees: 2, depth: 1, seed: 5 });
}
const nodeOf = (m: OnnxModel) => m.graph!.node![0]!;
function attr(m: OnnxModel, name: string) {
  return nodeOf(m).attribute!.find((a) => a.name === name)!;
}

function rejects(m: OnnxModel, code: 'ERR_BUNDLE_INVALID' | 'ERR_BUNDLE_MISMATCH', message: RegExp, s = spec): void {
  let error: unknown;
  try {
    readTreeEnsemble(m, s);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(BundleError);
  expect((error as BundleError).code).toBe(code);
  expect((error as BundleError).message).toMatch(message);
}

describe('readTreeEnsemble reads', () => {
  it('a valid ensemble: roots in listing order, depths, leaf weights', () => {
    const e = readTreeEnsemble(tiny(), spec);
    if ('unsupported' in e) throw new Error(e.unsupported);
    expect(Array.from(e.roots)).toEqual([0, 3]);
    expect(Array.from(e.depths)).toEqual([1, 1]);
    expect(e.outputs).toBe(1);
    expect(Array.from(e.leaves.count)).toEqual([0, 1, 1, 0, 1, 1]);
  });
});

describe('readTreeEnsemble declines, saying why in one sentence', () => {
  const cases: Array<[string, (m: OnnxModel) => void, RegExp]> = [
    [
      'a graph of several nodes',
      (m) => {
        const link = (opType: string, i: number): OnnxNode => ({ opType, input: [`t${i}`], output: [`t${i + 1}`] });
        nodeOf(m).output = ['t0'];
        m.graph!.node!.push(link('Neg', 0), link('Exp', 1), link('Add', 2), { ...link('Reciprocal', 3), output: ['variable'] });
      },
      /^the graph has 5 nodes \(TreeEnsembleRegressor, Neg, Exp, Add, Reciprocal\), not one tree ensemble$/,
    ],
    [
      'another operator',
      (m) => Object.assign(nodeOf(m), { opType: 'LinearRegressor' }),
      /^the graph's node is ai\.onnx\.ml\.LinearRegressor, not an ai\.onnx\.ml TreeEnsembleRegressor or TreeEnsembleClassifier$/,
    ],
    ['the default domain', (m) => Object.assign(nodeOf(m), { domain: '' }), /TreeEnsembleRegressor, not an ai\.onnx\.ml/],
    [
      'ai.onnx.ml opset 5',
      (m) => (m.opsetImport![1]!.version = 5),
      /^the model imports ai\.onnx\.ml opset 5, and only opsets 1 to 4 are supported$/,
    ],
    [
      'a double input',
      (m) => (m.graph!.input![0]!.type!.tensorType!.elemType = DataType.DOUBLE),
      /^the input "x" is tensor\(double\), not tensor\(float\)$/,
    ],
    [
      'double *_as_tensor attributes',
      (m) => {
        const values = attr(m, 'nodes_values').floats!;
        const at = nodeOf(m).attribute!.indexOf(attr(m, 'nodes_values'));
        nodeOf(m).attribute![at] = {
          name: 'nodes_values_as_tensor',
          type: 4,
          t: { dims: [values.length], dataType: DataType.DOUBLE, doubleData: values },
        };
      },
      /^nodes_values_as_tensor is a tensor\(double\), which onnxruntime does not read for float input$/,
    ],
  ];
  for (const [name, change, reason] of cases) {
    it(name, () => {
      const m = tiny();
      change(m);
      expect(readTreeEnsemble(m, spec)).toEqual({ unsupported: expect.stringMatching(reason) });
    });
  }

  it('a TreeEnsemble (ai.onnx.ml opset 5)', () => {
    const m = tiny();
    Object.assign(nodeOf(m), { opType: 'TreeEnsemble' });
    m.opsetImport![1]!.version = 5;
    expect(readTreeEnsemble(m, spec)).toEqual({
      unsupported: "the graph's node is ai.onnx.ml.TreeEnsemble, not an ai.onnx.ml TreeEnsembleRegressor or TreeEnsembleClassifier",
    });
  });

  it("a classifier's label output, and a classifier of one class", () => {
    const m = synthOnnx({ op: 'TreeEnsembleClassifier', trees: 2, depth: 1 });
    expect(readTreeEnsemble(m, { ...spec, outputName: 'label' })).toEqual({
      unsupported: 'the manifest output "label" is not its probabilities (probabilities), the only output this engine computes',
    });
    const one = synthOnnx({ op: 'TreeEnsembleClassifier', trees: 2, depth: 1, outputs: 1, singleClass: 0 });
    expect(readTreeEnsemble(one, { ...spec, outputName: 'probabilities' })).toEqual({
      unsupported: 'the classifier has 1 class label, and only two or more are supported',
    });
  });
});

describe('readTreeEnsemble: model and manifest disagree (ERR_BUNDLE_MISMATCH)', () => {
  it('input name, output name, width', () => {
    rejects(
      tiny(),
      'ERR_BUNDLE_MISMATCH',
      /^Model and manifest disagree: manifest input "features" is not a model input \(model has x\)$/,
      { ...spec, inputName: 'features' },
    );
    rejects(
      tiny(),
      'ERR_BUNDLE_MISMATCH',
      /^Model and manifest disagree: manifest output "y" is not a model output \(model has variable\)$/,
      { ...spec, outputName: 'y' },
    );
    rejects(
      tiny(),
      'ERR_BUNDLE_MISMATCH',
      /^Model and manifest disagree: the model takes 4 input columns, the feature pipeline produces 5$/,
      { ...spec, width: 5 },
    );
  });

  it('a symbolic width is not a disagreement', () => {
    const m = tiny();
    m.graph!.input![0] = tensorInfo('x', ['N', 'W']);
    expect('unsupported' in readTreeEnsemble(m, { ...spec, width: 9 })).toBe(false);
  });
});

describe('readTreeEnsemble: malformed ensembles throw ERR_BUNDLE_INVALID naming the attribute and index', () => {
  // tiny(): nodes 0..5 = tree 0 (ids 0, 1, 2), tree 1 (ids 0, 1, 2); nodes 0 and 3 branch.
  const cases: Array<[string, (m: OnnxModel) => void, RegExp]> = [
    [
      'a cycle',
      (m) => {
        attr(m, 'nodes_modes').strings![1] = 'BRANCH_LEQ';
        attr(m, 'nodes_truenodeids').ints![1] = 0;
        attr(m, 'nodes_falsenodeids').ints![1] = 2;
      },
      /nodes_nodeids\[0\] = 0: tree 0 has a cycle through node 0/,
    ],
    ['a child id out of range', (m) => (attr(m, 'nodes_truenodeids').ints![0] = 99), /nodes_truenodeids\[0\] = 99: tree 0 has no node 99/],
    ['a negative child id', (m) => (attr(m, 'nodes_falsenodeids').ints![3] = -1), /nodes_falsenodeids\[3\] = -1: tree 1 has no node -1/],
    [
      'a node pointing to itself',
      (m) => (attr(m, 'nodes_truenodeids').ints![0] = 0),
      /nodes_truenodeids\[0\] = 0: node 0 of tree 0 points to itself/,
    ],
    ['a negative node id', (m) => (attr(m, 'nodes_nodeids').ints![2] = -2), /nodes_nodeids\[2\] = -2 is not a non-negative id/],
    ['a negative tree id', (m) => (attr(m, 'nodes_treeids').ints![0] = -1), /nodes_treeids\[0\] = -1 is not a non-negative id/],
    ['a node defined twice', (m) => (attr(m, 'nodes_nodeids').ints![2] = 1), /nodes_nodeids\[2\] = 1: node 1 of tree 0 is defined twice/],
    [
      'a tree split in two runs',
      (m) => {
        const t = attr(m, 'nodes_treeids').ints!;
        [t[2], t[3]] = [1, 0];
        attr(m, 'nodes_nodeids').ints!.splice(0, 6, 0, 1, 0, 2, 1, 2);
      },
      /nodes_treeids\[3\] = 0: the nodes of tree 0 are not contiguous/,
    ],
    [
      'an unreachable node',
      (m) => (attr(m, 'nodes_falsenodeids').ints![0] = 1),
      /nodes_nodeids\[2\] = 2: node 2 of tree 0 is not reachable from the tree's first node/,
    ],
    ['mismatched node attribute lengths', (m) => attr(m, 'nodes_values').floats!.pop(), /nodes_values has 5 entries, nodes_treeids has 6/],
    [
      'mismatched weight attribute lengths',
      (m) => attr(m, 'target_weights').floats!.pop(),
      /target_weights has 3 entries, target_ids has 4/,
    ],
    [
      'a feature id beyond the width',
      (m) => (attr(m, 'nodes_featureids').ints![3] = 4),
      /nodes_featureids\[3\] = 4 is outside the 4 input columns/,
    ],
    [
      'an unknown mode',
      (m) => (attr(m, 'nodes_modes').strings![0] = 'BRANCH_MEMBER'),
      /nodes_modes\[0\] = "BRANCH_MEMBER" is not a node mode/,
    ],
    ['a weight on a missing node', (m) => (attr(m, 'target_nodeids').ints![1] = 7), /target_nodeids\[1\] = 7: tree 0 has no node 7/],
    ['a target id out of range', (m) => (attr(m, 'target_ids').ints![2] = 1), /target_ids\[2\] = 1 is outside the 1 targets/],
    ['no targets', (m) => (nodeOf(m).attribute!.find((a) => a.name === 'n_targets')!.i = 0), /n_targets is 0, not a positive count/],
    [
      'an unknown aggregate function',
      (m) => (nodeOf(m).attribute!.find((a) => a.name === 'aggregate_function')!.s = 'MEDIAN'),
      /aggregate_function "MEDIAN" is not one of SUM, AVERAGE, MIN, MAX/,
    ],
    ['an unknown post transform', (m) => (attr(m, 'post_transform').s = 'EXP'), /post_transform "EXP" is not one of/],
    [
      'base values of the wrong count',
      (m) => nodeOf(m).attribute!.push({ name: 'base_values', type: 6, floats: [1, 2] }),
      /base_values has 2 entries, not 0 or 1 \(one per target\)/,
    ],
    [
      'no nodes',
      (m) => {
        for (const name of ['nodes_treeids', 'nodes_nodeids', 'nodes_featureids', 'nodes_truenodeids', 'nodes_falsenodeids'])
          attr(m, name).ints = [];
        attr(m, 'nodes_modes').strings = [];
        attr(m, 'nodes_values').floats = [];
      },
      /the ensemble has no nodes/,
    ],
  ];
  for (const [name, change, message] of cases) {
    it(name, () => {
      const m = tiny();
      change(m);
      rejects(m, 'ERR_BUNDLE_INVALID', new RegExp(`^TreeEnsembleRegressor: .*${message.source}`));
    });
  }

  it('a long chain is walked without recursion, and a cycle deep in it is still found', () => {
    const n = 200_000;
    const m = tiny();
    const ids = Array.from({ length: n }, (_, i) => i);
    attr(m, 'nodes_treeids').ints = ids.map(() => 0);
    attr(m, 'nodes_nodeids').ints = ids;
    attr(m, 'nodes_featureids').ints = ids.map(() => 0);
    attr(m, 'nodes_values').floats = ids.map(() => 0);
    attr(m, 'nodes_modes').strings = ids.map((i) => (i === n - 1 ? 'LEAF' : 'BRANCH_LEQ'));
    // Node i: true → i + 1, false → the last node (a leaf).
    attr(m, 'nodes_truenodeids').ints = ids.map((i) => Math.min(i + 1, n - 1));
    attr(m, 'nodes_falsenodeids').ints = ids.map(() => n - 1);
    Object.assign(attr(m, 'target_treeids'), { ints: [0] });
    Object.assign(attr(m, 'target_nodeids'), { ints: [n - 1] });
    Object.assign(attr(m, 'target_ids'), { ints: [0] });
    Object.assign(attr(m, 'target_weights'), { floats: [1] });
    const e = readTreeEnsemble(m, spec);
    expect('unsupported' in e ? e.unsupported : e.depths[0]).toBe(n - 1);
    attr(m, 'nodes_truenodeids').ints![n - 2] = 5;
    rejects(m, 'ERR_BUNDLE_INVALID', /has a cycle through node 5/);
  });
});
