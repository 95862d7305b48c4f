/**
 * Converts an XGBoost JSON model to ONNX at bundle time, so the runtime keeps one model format:
 * an `ai.onnx.ml.TreeEnsembleRegressor` for the summed margins, then standard ops for the link.
 */
import { floats, int, ints, str, strings, tensorInfo } from '../onnx/attributes.js';
import { DataType, encodeModel, type OnnxAttribute, type OnnxNode } from '../onnx/model.js';
import { readXgboost, type XgbModel } from './xgboost-model.js';

export { evaluateXgboost } from './xgboost-eval.js';
export { XGBOOST_OBJECTIVES } from './xgboost-model.js';

/** Options of {@link xgboostToOnnx}. */
export interface XgboostToOnnxOptions {
  /** Columns of the pipeline's float32 matrix; the model must use no feature at or beyond it. */
  width: number;
  /** Default 'features'. */
  inputName?: string;
}

/** A converted model and what featurecast needs to know to read its output. */
export interface XgboostOnnx {
  /** ONNX bytes: input `[N, width]` float32, one float32 output `[N, 1]` or `[N, classes]`. */
  model: Uint8Array;
  kind: 'regression' | 'classification';
  /** 0 for regression, 2 for binary:logistic, K for multi:softprob / multi:softmax. */
  classes: number;
  /** 'prediction' (regression) or 'probabilities' (classification). */
  outputName: string;
  /** XGBoost's objective, e.g. 'binary:logistic'. */
  objective: string;
  /** `learner.feature_names` when XGBoost saved them. */
  featureNames?: string[];
}

/**
 * Converts an XGBoost JSON model (`Booster.save_model('model.json')`) to ONNX taking the pipeline's
 * `[N, width]` matrix; throws SpecError (ERR_SPEC) naming the JSON field it cannot convert.
 */
export function xgboostToOnnx(json: unknown, options: XgboostToOnnxOptions): XgboostOnnx {
  const { width } = options;
  if (!Number.isInteger(width) || width < 1) throw new RangeError(`xgboostToOnnx: width must be a positive integer, got ${width}`);
  const inputName = options.inputName ?? 'features';
  const xgb = readXgboost(json, width);
  const outputName = xgb.kind === 'regression' ? 'prediction' : 'probabilities';
  const margin = xgb.link === 'identity' ? outputName : 'margin';
  const nodes: OnnxNode[] = [treeNode(xgb, inputName, margin), ...linkNodes(xgb, margin, outputName)];
  const bytes = encodeModel({
    irVersion: 8,
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    producerName: 'featurecast',
    docString: `XGBoost ${xgb.objective} model, ${xgb.trees.length} trees, converted by featurecast`,
    graph: {
      name: 'xgboost',
      node: nodes,
      // The 1 in the sigmoid's 1 / (1 + e^−m).
      initializer: xgb.link === 'sigmoid' ? [{ name: 'one', dims: [], dataType: DataType.FLOAT, floatData: [1] }] : undefined,
      input: [tensorInfo(inputName, ['N', width])],
      output: [tensorInfo(outputName, ['N', xgb.kind === 'regression' ? 1 : xgb.classes])],
    },
    metadataProps: [
      { key: 'xgboost_objective', value: xgb.objective },
      ...(xgb.featureNames ? [{ key: 'feature_names', value: JSON.stringify(xgb.featureNames) }] : []),
    ],
  });
  return {
    model: bytes,
    kind: xgb.kind,
    classes: xgb.classes,
    outputName,
    objective: xgb.objective,
    ...(xgb.featureNames ? { featureNames: xgb.featureNames } : {}),
  };
}

/** All trees in one TreeEnsembleRegressor: one target per class, base_values the base margins. */
function treeNode(xgb: XgbModel, input: string, output: string): OnnxNode {
  const n = {
    tree: [] as number[],
    node: [] as number[],
    feat: [] as number[],
    val: [] as number[],
    mode: [] as string[],
    t: [] as number[],
    f: [] as number[],
    miss: [] as number[],
  };
  const target = { tree: [] as number[], node: [] as number[], id: [] as number[], w: [] as number[] };
  xgb.trees.forEach((tree, treeId) => {
    for (const [k, feature] of tree.feature.entries()) {
      const leaf = feature < 0;
      n.tree.push(treeId);
      n.node.push(k);
      n.feat.push(leaf ? 0 : feature);
      n.val.push(leaf ? 0 : tree.value[k]!);
      // XGBoost goes left when x < t: the ONNX "true" branch of BRANCH_LT.
      n.mode.push(leaf ? 'LEAF' : 'BRANCH_LT');
      n.t.push(leaf ? 0 : tree.left[k]!);
      n.f.push(leaf ? 0 : tree.right[k]!);
      // NaN fails x < t, so it goes right unless the node's default is left.
      n.miss.push(!leaf && tree.defaultLeft[k] ? 1 : 0);
      if (leaf) {
        target.tree.push(treeId);
        target.node.push(k);
        target.id.push(tree.group);
        target.w.push(tree.value[k]!);
      }
    }
  });
  return {
    input: [input],
    output: [output],
    name: 'xgboost_trees',
    opType: 'TreeEnsembleRegressor',
    domain: 'ai.onnx.ml',
    attribute: [
      str('aggregate_function', 'SUM'),
      floats('base_values', xgb.baseMargin),
      int('n_targets', xgb.outputs),
      ints('nodes_falsenodeids', n.f),
      ints('nodes_featureids', n.feat),
      ints('nodes_missing_value_tracks_true', n.miss),
      strings('nodes_modes', n.mode),
      ints('nodes_nodeids', n.node),
      ints('nodes_treeids', n.tree),
      ints('nodes_truenodeids', n.t),
      floats('nodes_values', n.val),
      str('post_transform', 'NONE'),
      ints('target_ids', target.id),
      ints('target_nodeids', target.node),
      ints('target_treeids', target.tree),
      floats('target_weights', target.w),
    ],
  };
}

/** Standard ONNX ops from the margins to XGBoost's `predict` output (none for identity links). */
function linkNodes(xgb: XgbModel, margin: string, output: string): OnnxNode[] {
  const op = (opType: string, input: string[], out: string, attribute?: OnnxAttribute[]): OnnxNode => ({
    input,
    output: [out],
    name: out,
    opType,
    ...(attribute ? { attribute } : {}),
  });
  // 1 / (1 + e^−m), XGBoost's own formula: onnxruntime's Sigmoid op is off by up to 2e-6 relative
  // at m = −3 and by orders of magnitude below m = −16 (measured in onnxruntime-web 1.30).
  const sigmoid = (m: string, out: string, negate: boolean): OnnxNode[] => [
    ...(negate ? [op('Neg', [m], `${out}_neg`)] : []),
    op('Exp', [negate ? `${out}_neg` : m], `${out}_exp`),
    op('Add', [`${out}_exp`, 'one'], `${out}_denominator`),
    op('Reciprocal', [`${out}_denominator`], out),
  ];
  switch (xgb.link) {
    case 'identity':
      return [];
    case 'exp':
      return [op('Exp', [margin], output)];
    case 'softmax':
      return [op('Softmax', [margin], output, [int('axis', 1)])];
    case 'sigmoid':
      if (xgb.kind === 'regression') return sigmoid(margin, output, true);
      // [1 − p, p] as [1 / (1 + e^m), 1 / (1 + e^−m)]: exact for p near 1, where 1 − p would cancel.
      return [...sigmoid(margin, 'p0', false), ...sigmoid(margin, 'p1', true), op('Concat', ['p0', 'p1'], output, [int('axis', 1)])];
  }
}
