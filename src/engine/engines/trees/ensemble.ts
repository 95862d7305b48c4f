/** A tree ensemble as onnxruntime evaluates it, read and checked from an ONNX node by read.ts. */

export type Aggregate = 'SUM' | 'AVERAGE' | 'MIN' | 'MAX';
export type PostTransform = 'NONE' | 'LOGISTIC' | 'SOFTMAX' | 'SOFTMAX_ZERO' | 'PROBIT';

/** Node modes in ONNX's order; the index is the code stored in `TreeNodes.modes`. */
export const MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ', 'LEAF'] as const;
export const LEAF = 6;

/** One entry per node, in the model's attribute order; children are indexes into the same arrays. */
export interface TreeNodes {
  modes: Uint8Array;
  features: Int32Array;
  /** The threshold, float32 as onnxruntime compares it for float input. */
  values: Float32Array;
  missingTrue: Uint8Array;
  trueChild: Int32Array;
  falseChild: Int32Array;
}

/** A leaf's weights, sorted by (tree id, node id, attribute position) as onnxruntime adds them. */
export interface LeafWeights {
  start: Int32Array;
  count: Int32Array;
  targets: Int32Array;
  values: Float32Array;
  /** What a leaf adds when there is one output: its first weight, else its nodes_values entry. */
  unique: Float32Array;
}

export interface TreeEnsemble {
  op: 'TreeEnsembleRegressor' | 'TreeEnsembleClassifier';
  width: number;
  /** n_targets, or the number of class labels. */
  outputs: number;
  aggregate: Aggregate;
  postTransform: PostTransform;
  baseValues: Float32Array;
  nodes: TreeNodes;
  /** Each tree's first node, in onnxruntime's summation order (the order trees first appear). */
  roots: Int32Array;
  /** Each tree's longest root-to-leaf path, in edges. */
  depths: Int32Array;
  leaves: LeafWeights;
  /** Classifier: two labels but weights for one class id only (onnxruntime builds the other score). */
  binaryCase: boolean;
  weightsAllPositive: boolean;
}
