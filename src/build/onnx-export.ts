/**
 * Writes a trained {@link Ensemble} as a single-node ONNX model (`ai.onnx.ml.TreeEnsembleRegressor`).
 * Node-side only: it reads the bundled onnx-ml.proto from disk.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { Ensemble } from './gbdt.js';

export interface OnnxExportOptions {
  /** Default 'features'. */
  inputName?: string;
  /** Default 'prediction'. */
  outputName?: string;
  producerName?: string;
  docString?: string;
}

// onnx.TensorProto.DataType.FLOAT / onnx.AttributeProto.AttributeType values.
const FLOAT = 1;
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

const utf8 = new TextEncoder();
let modelType: protobuf.Type | undefined;

/**
 * The official schema declares AttributeProto.floats/ints without [packed=true] (proto2), which costs
 * a tag byte per element and roughly doubles the model. Protobuf parsers must accept packed encoding
 * for any repeated scalar field, so we encode them packed; ORT and protobufjs both read it back.
 */
function getModelType(): protobuf.Type {
  if (modelType) return modelType;
  const protoPath = fileURLToPath(new URL('./onnx-ml.proto', import.meta.url));
  let text = readFileSync(protoPath, 'utf8');
  for (const decl of ['repeated float floats = 7;', 'repeated int64 ints = 8;']) {
    if (!text.includes(decl)) throw new Error(`onnx-ml.proto: expected declaration "${decl}"`);
    text = text.replace(decl, `${decl.slice(0, -1)} [packed = true];`);
  }
  const { root } = protobuf.parse(text, { keepCase: true });
  // Field features (incl. packed encoding) are only resolved here; encoding before this ignores [packed].
  root.resolveAll();
  modelType = root.lookupType('onnx.ModelProto');
  return modelType;
}

const ints = (name: string, v: number[]) => ({ name, type: ATTR.INTS, ints: v });
const floats = (name: string, v: number[]) => ({ name, type: ATTR.FLOATS, floats: v });
const strings = (name: string, v: string[]) => ({ name, type: ATTR.STRINGS, strings: v.map((s) => utf8.encode(s)) });
const str = (name: string, v: string) => ({ name, type: ATTR.STRING, s: utf8.encode(v) });
const int = (name: string, v: number) => ({ name, type: ATTR.INT, i: v });

function tensorInfo(name: string, dims: Array<number | string>) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) },
      },
    },
  };
}

export function ensembleToOnnx(ens: Ensemble, options: OnnxExportOptions = {}): Uint8Array {
  const inputName = options.inputName ?? 'features';
  const outputName = options.outputName ?? 'prediction';

  const nodes = { tree: [] as number[], node: [] as number[], feat: [] as number[], val: [] as number[], mode: [] as string[], t: [] as number[], f: [] as number[] };
  const target = { tree: [] as number[], node: [] as number[], id: [] as number[], w: [] as number[] };
  ens.trees.forEach((tree, treeId) => {
    for (let k = 0; k < tree.feature.length; k++) {
      const leaf = tree.feature[k] < 0;
      if (!leaf && tree.feature[k] >= ens.nFeatures) throw new RangeError(`tree ${treeId} node ${k} uses feature ${tree.feature[k]} >= nFeatures`);
      nodes.tree.push(treeId);
      nodes.node.push(k);
      nodes.feat.push(leaf ? 0 : tree.feature[k]);
      nodes.val.push(leaf ? 0 : tree.threshold[k]);
      nodes.mode.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      // ORT takes the "true" branch when x <= value, i.e. our left child.
      nodes.t.push(leaf ? 0 : tree.left[k]);
      nodes.f.push(leaf ? 0 : tree.right[k]);
      if (leaf) {
        target.tree.push(treeId);
        target.node.push(k);
        target.id.push(0);
        target.w.push(tree.value[k]);
      }
    }
  });

  const node = {
    input: [inputName],
    output: [outputName],
    name: 'gbdt',
    op_type: 'TreeEnsembleRegressor',
    domain: 'ai.onnx.ml',
    attribute: [
      str('aggregate_function', 'SUM'),
      floats('base_values', [ens.base]),
      int('n_targets', 1),
      ints('nodes_falsenodeids', nodes.f),
      ints('nodes_featureids', nodes.feat),
      strings('nodes_modes', nodes.mode),
      ints('nodes_nodeids', nodes.node),
      ints('nodes_treeids', nodes.tree),
      ints('nodes_truenodeids', nodes.t),
      floats('nodes_values', nodes.val),
      str('post_transform', 'NONE'),
      ints('target_ids', target.id),
      ints('target_nodeids', target.node),
      ints('target_treeids', target.tree),
      floats('target_weights', target.w),
    ],
  };

  const model: Record<string, unknown> = {
    ir_version: 8,
    opset_import: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    producer_name: options.producerName ?? 'featurecast',
    graph: {
      name: 'gbdt',
      node: [node],
      input: [tensorInfo(inputName, ['N', ens.nFeatures])],
      output: [tensorInfo(outputName, ['N', 1])],
    },
  };
  if (ens.featureNames) {
    model.metadata_props = [{ key: 'feature_names', value: JSON.stringify(ens.featureNames) }];
  }
  if (options.docString !== undefined) model.doc_string = options.docString;

  const Model = getModelType();
  // In Node protobufjs returns a Buffer, whose slice() shares memory; callers get a plain Uint8Array.
  return new Uint8Array(Model.encode(Model.fromObject(model)).finish());
}
