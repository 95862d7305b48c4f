/**
 * Writes a trained {@link Ensemble} as a single-node ONNX model (`ai.onnx.ml.TreeEnsembleRegressor`),
 * with featurecast's own protobuf codec (src/onnx), so it has no dependencies and runs anywhere.
 */
import { floats, int, ints, str, strings, tensorInfo } from '../onnx/attributes.js';
import { encodeModel, type OnnxModel } from '../onnx/model.js';
import type { Ensemble } from './gbdt.js';

export interface OnnxExportOptions {
  /** Default 'features'. */
  inputName?: string;
  /** Default 'prediction'. */
  outputName?: string;
  producerName?: string;
  docString?: string;
}

export function ensembleToOnnx(ens: Ensemble, options: OnnxExportOptions = {}): Uint8Array {
  const inputName = options.inputName ?? 'features';
  const outputName = options.outputName ?? 'prediction';

  const nodes = {
    tree: [] as number[],
    node: [] as number[],
    feat: [] as number[],
    val: [] as number[],
    mode: [] as string[],
    t: [] as number[],
    f: [] as number[],
  };
  const target = { tree: [] as number[], node: [] as number[], id: [] as number[], w: [] as number[] };
  ens.trees.forEach((tree, treeId) => {
    for (const [k, feature] of tree.feature.entries()) {
      const leaf = feature < 0;
      if (!leaf && feature >= ens.nFeatures) throw new RangeError(`tree ${treeId} node ${k} uses feature ${feature} >= nFeatures`);
      nodes.tree.push(treeId);
      nodes.node.push(k);
      nodes.feat.push(leaf ? 0 : feature);
      nodes.val.push(leaf ? 0 : tree.threshold[k]!);
      nodes.mode.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      // ORT takes the "true" branch when x <= value, i.e. our left child.
      nodes.t.push(leaf ? 0 : tree.left[k]!);
      nodes.f.push(leaf ? 0 : tree.right[k]!);
      if (leaf) {
        target.tree.push(treeId);
        target.node.push(k);
        target.id.push(0);
        target.w.push(tree.value[k]!);
      }
    }
  });

  const model: OnnxModel = {
    irVersion: 8,
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    producerName: options.producerName ?? 'featurecast',
    docString: options.docString,
    graph: {
      name: 'gbdt',
      node: [
        {
          input: [inputName],
          output: [outputName],
          name: 'gbdt',
          opType: 'TreeEnsembleRegressor',
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
        },
      ],
      input: [tensorInfo(inputName, ['N', ens.nFeatures])],
      output: [tensorInfo(outputName, ['N', 1])],
    },
    metadataProps: ens.featureNames ? [{ key: 'feature_names', value: JSON.stringify(ens.featureNames) }] : undefined,
  };
  return encodeModel(model);
}
