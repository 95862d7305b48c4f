import { BundleError } from '../../../errors.js';
import { DataType, formatType, type OnnxModel, type OnnxNode } from '../../../onnx/model.js';
import type { SessionSpec } from '../session.js';
import { MODES, LEAF, type Aggregate, type PostTransform, type TreeEnsemble } from './ensemble.js';
import { linkTrees } from './structure.js';

const OPS = ['TreeEnsembleRegressor', 'TreeEnsembleClassifier'] as const;
const AGGREGATES: readonly Aggregate[] = ['SUM', 'AVERAGE', 'MIN', 'MAX'];
const TRANSFORMS: readonly PostTransform[] = ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO', 'PROBIT'];

/**
 * Whether the built-in engine can run this model for this manifest: a graph of one ai.onnx.ml
 * TreeEnsembleRegressor/Classifier (ai.onnx.ml opsets 1–4; 5 removed them) on a float input. The returned `unsupported`
 * says why not in one sentence. Model/manifest disagreement throws ERR_BUNDLE_MISMATCH, as
 * onnxruntime's session check does; a malformed ensemble throws ERR_BUNDLE_INVALID.
 */
export function readTreeEnsemble(model: OnnxModel, spec: SessionSpec): TreeEnsemble | { unsupported: string } {
  const graph = model.graph ?? {};
  const inputs = (graph.input ?? []).map((v) => v.name ?? '');
  const outputs = (graph.output ?? []).map((v) => v.name ?? '');
  const mismatch = (m: string) => new BundleError('ERR_BUNDLE_MISMATCH', `Model and manifest disagree: ${m}`);
  if (!inputs.includes(spec.inputName))
    throw mismatch(`manifest input "${spec.inputName}" is not a model input (model has ${inputs.join(', ')})`);
  if (!outputs.includes(spec.outputName))
    throw mismatch(`manifest output "${spec.outputName}" is not a model output (model has ${outputs.join(', ')})`);
  const input = graph.input!.find((v) => v.name === spec.inputName)!;
  const width = input.type?.tensorType?.shape?.dim?.[1]?.dimValue;
  if (width !== undefined && width !== spec.width)
    throw mismatch(`the model takes ${width} input columns, the feature pipeline produces ${spec.width}`);

  const nodes = graph.node ?? [];
  if (nodes.length !== 1)
    return { unsupported: `the graph has ${nodes.length} nodes (${nodes.map((n) => n.opType).join(', ')}), not one tree ensemble` };
  const node = nodes[0]!;
  const op = OPS.find((o) => o === node.opType && node.domain === 'ai.onnx.ml');
  if (!op)
    return {
      unsupported: `the graph's node is ${node.domain ? `${node.domain}.` : ''}${node.opType}, not an ai.onnx.ml TreeEnsembleRegressor or TreeEnsembleClassifier`,
    };
  const opset = model.opsetImport?.find((o) => o.domain === 'ai.onnx.ml')?.version ?? 0;
  if (opset < 1 || opset > 4) return { unsupported: `the model imports ai.onnx.ml opset ${opset}, and only opsets 1 to 4 are supported` };
  const elem = input.type?.tensorType?.elemType;
  if (elem !== DataType.FLOAT) return { unsupported: `the input "${spec.inputName}" is ${formatType(input.type)}, not tensor(float)` };
  if (node.input?.length !== 1 || node.input[0] !== spec.inputName)
    return { unsupported: `the ${op} reads ${node.input?.join(', ')}, not the input "${spec.inputName}"` };
  const out = node.output?.[op === 'TreeEnsembleClassifier' ? 1 : 0];
  if (out !== spec.outputName) {
    const what = op === 'TreeEnsembleClassifier' ? 'its probabilities' : 'its output';
    return {
      unsupported: `the manifest output "${spec.outputName}" is not ${what} (${out ?? 'absent'}), the only output this engine computes`,
    };
  }
  try {
    return readAttributes(op, node, spec.width);
  } catch (e) {
    if (e instanceof Unsupported) return { unsupported: e.message };
    throw e;
  }
}

class Unsupported extends Error {}

function readAttributes(op: TreeEnsemble['op'], node: OnnxNode, width: number): TreeEnsemble | { unsupported: string } {
  const invalid = (m: string) => new BundleError('ERR_BUNDLE_INVALID', `${op}: ${m}`);
  const attrs = new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
  const ints = (name: string) => attrs.get(name)?.ints ?? [];
  const str = (name: string, fallback: string) => attrs.get(name)?.s ?? fallback;
  // A float list, or its *_as_tensor twin. onnxruntime reads the tensors as float for float
  // input and refuses double ones, so they are declined here too.
  const floats = (name: string): number[] => {
    const plain = attrs.get(name)?.floats;
    const tensor = attrs.get(`${name}_as_tensor`)?.t;
    if (plain && tensor) throw invalid(`both ${name} and ${name}_as_tensor are given`);
    if (!tensor) return plain ?? [];
    if (tensor.dataType !== DataType.FLOAT)
      throw new Unsupported(
        `${name}_as_tensor is a ${formatType({ tensorType: { elemType: tensor.dataType } })}, which onnxruntime does not read for float input`,
      );
    return tensor.floatData ?? (tensor.rawData ? Array.from(new Float32Array(tensor.rawData.slice().buffer)) : []);
  };
  const classifier = op === 'TreeEnsembleClassifier';
  const prefix = classifier ? 'class' : 'target';

  const treeIds = ints('nodes_treeids');
  const n = treeIds.length;
  const modeNames = attrs.get('nodes_modes')?.strings ?? [];
  const thresholds = floats('nodes_values');
  const missing = ints('nodes_missing_value_tracks_true');
  const lists: Array<[string, number, boolean?]> = [
    ['nodes_nodeids', ints('nodes_nodeids').length],
    ['nodes_featureids', ints('nodes_featureids').length],
    ['nodes_modes', modeNames.length],
    ['nodes_truenodeids', ints('nodes_truenodeids').length],
    ['nodes_falsenodeids', ints('nodes_falsenodeids').length],
    ['nodes_values', thresholds.length],
    ['nodes_missing_value_tracks_true', missing.length, true],
  ];
  for (const [name, length, optional] of lists) {
    if (length !== n && !(optional && length === 0)) throw invalid(`${name} has ${length} entries, nodes_treeids has ${n}`);
  }
  // Plain loops from here on: this runs once per load, while the code is still cold.
  const modes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const m = modeNames[i]!;
    const code = m === 'LEAF' ? LEAF : MODES.indexOf(m as (typeof MODES)[number]);
    if (code < 0) throw invalid(`nodes_modes[${i}] = "${m}" is not a node mode (${MODES.join(', ')})`);
    modes[i] = code;
  }
  const featureIds = ints('nodes_featureids');
  const features = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const f = featureIds[i]!;
    if (!Number.isInteger(f) || f < 0 || f >= width) throw invalid(`nodes_featureids[${i}] = ${f} is outside the ${width} input columns`);
    features[i] = f;
  }
  const links = linkTrees(op, {
    treeIds,
    nodeIds: ints('nodes_nodeids'),
    modes,
    trueIds: ints('nodes_truenodeids'),
    falseIds: ints('nodes_falsenodeids'),
  });

  const labels = classifier ? Math.max(ints('classlabels_int64s').length, attrs.get('classlabels_strings')?.strings?.length ?? 0) : 0;
  const outputs = classifier ? labels : (attrs.get('n_targets')?.i ?? 0);
  if (!(outputs >= 1)) throw invalid(classifier ? 'there are no class labels' : `n_targets is ${outputs}, not a positive count`);
  if (classifier && outputs < 2) return { unsupported: `the classifier has ${outputs} class label, and only two or more are supported` };
  const aggregate = str('aggregate_function', 'SUM') as Aggregate;
  if (!AGGREGATES.includes(aggregate)) throw invalid(`aggregate_function "${aggregate}" is not one of ${AGGREGATES.join(', ')}`);
  const postTransform = str('post_transform', 'NONE') as PostTransform;
  if (!TRANSFORMS.includes(postTransform)) throw invalid(`post_transform "${postTransform}" is not one of ${TRANSFORMS.join(', ')}`);
  const baseValues = Float32Array.from(floats('base_values'));
  // onnxruntime's rule: one per output or none; a two-class classifier may also give one.
  if (baseValues.length !== 0 && baseValues.length !== outputs && !(classifier && outputs === 2 && baseValues.length === 1)) {
    throw invalid(`base_values has ${baseValues.length} entries, not 0 or ${outputs} (one per ${classifier ? 'class' : 'target'})`);
  }

  const wIds = ints(`${prefix}_ids`);
  const wNodes = ints(`${prefix}_nodeids`);
  const wTrees = ints(`${prefix}_treeids`);
  const wValues = floats(`${prefix}_weights`);
  for (const [name, length] of [
    [`${prefix}_nodeids`, wNodes.length],
    [`${prefix}_treeids`, wTrees.length],
    [`${prefix}_weights`, wValues.length],
  ] as const) {
    if (length !== wIds.length) throw invalid(`${name} has ${length} entries, ${prefix}_ids has ${wIds.length}`);
  }
  // onnxruntime sorts the weights by (tree id, node id) and ignores those on branch nodes. Only
  // each leaf's weights, in attribute order, matter to the sums: a counting pass groups them.
  const leafOf = new Int32Array(wIds.length);
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  for (let w = 0; w < wIds.length; w++) {
    const at = links.find(wTrees[w]!, wNodes[w]!);
    if (at < 0) throw invalid(`${prefix}_nodeids[${w}] = ${wNodes[w]}: tree ${wTrees[w]} has no node ${wNodes[w]}`);
    const target = wIds[w]!;
    if (!Number.isInteger(target) || target < 0 || target >= outputs)
      throw invalid(`${prefix}_ids[${w}] = ${target} is outside the ${outputs} ${classifier ? 'classes' : 'targets'}`);
    leafOf[w] = modes[at] === LEAF ? at : -1;
    if (modes[at] === LEAF) count[at]!++;
  }
  let kept = 0;
  for (let i = 0; i < n; i++) {
    start[i] = kept;
    kept += count[i]!;
  }
  const nodeValues = Float32Array.from(thresholds);
  const unique = nodeValues.slice();
  const targets = new Int32Array(kept);
  const values = new Float32Array(kept);
  const placed = new Int32Array(n);
  for (let w = 0; w < wIds.length; w++) {
    const at = leafOf[w]!;
    if (at < 0) continue;
    if (placed[at] === 0) unique[at] = wValues[w]!;
    targets[start[at]! + placed[at]!] = wIds[w]!;
    values[start[at]! + placed[at]!] = wValues[w]!;
    placed[at]!++;
  }
  const missingTrue = new Uint8Array(n);
  for (let i = 0; i < missing.length; i++) missingTrue[i] = missing[i] === 1 ? 1 : 0;
  let weightsAllPositive = true;
  for (let w = 0; w < wValues.length; w++) if (wValues[w]! < 0) weightsAllPositive = false;
  let oneClass = true;
  for (let w = 1; w < wIds.length; w++) if (wIds[w] !== wIds[0]) oneClass = false;
  return {
    op,
    width,
    outputs,
    aggregate: classifier ? 'SUM' : aggregate,
    postTransform,
    baseValues,
    nodes: {
      modes,
      features,
      values: nodeValues,
      missingTrue,
      trueChild: links.trueChild,
      falseChild: links.falseChild,
    },
    roots: links.roots,
    depths: links.depths,
    leaves: { start, count, targets, values, unique },
    binaryCase: classifier && outputs === 2 && wIds.length > 0 && oneClass,
    weightsAllPositive,
  };
}
