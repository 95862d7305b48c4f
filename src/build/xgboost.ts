/**
 * Converts an XGBoost JSON model to ONNX at bundle time, so the runtime keeps one model format:
 * an `ai.onnx.ml.TreeEnsembleRegressor` for the summed margins, then standard ops for the link.
 */
import { int, tensorInfo } from '../onnx/attributes.js';
import { DataType, encodeModel, type OnnxAttribute, type OnnxNode } from '../onnx/model.js';
import { TreeEnsembleWriter } from '../onnx/tree-ensemble.js';
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
  const writer = new TreeEnsembleWriter(true);
  xgb.trees.forEach((tree, treeId) => {
    for (const [k, feature] of tree.feature.entries()) {
      if (feature < 0) {
        writer.leaf(treeId, k, tree.group, tree.value[k]!);
        continue;
      }
      // XGBoost goes left when x < t: the ONNX "true" branch of BRANCH_LT. NaN fails x < t, so it
      // goes right unless the node's default is left.
      writer.branch(treeId, k, feature, tree.value[k]!, 'BRANCH_LT', tree.left[k]!, tree.right[k]!, tree.defaultLeft[k] === true);
    }
  });
  return writer.node('xgboost_trees', input, output, xgb.baseMargin, xgb.outputs);
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
