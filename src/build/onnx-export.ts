/**
 * Writes a trained {@link Ensemble} as a single-node ONNX model (`ai.onnx.ml.TreeEnsembleRegressor`),
 * with featurecast's own protobuf codec (src/onnx), so it has no dependencies and runs anywhere.
 */
import { tensorInfo } from '../onnx/attributes.js';
import { encodeModel, type OnnxModel } from '../onnx/model.js';
import { TreeEnsembleWriter } from '../onnx/tree-ensemble.js';
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

  const writer = new TreeEnsembleWriter();
  ens.trees.forEach((tree, treeId) => {
    for (const [k, feature] of tree.feature.entries()) {
      if (feature < 0) {
        writer.leaf(treeId, k, 0, tree.value[k]!);
        continue;
      }
      if (feature >= ens.nFeatures) throw new RangeError(`tree ${treeId} node ${k} uses feature ${feature} >= nFeatures`);
      // ORT takes the "true" branch when x <= value, i.e. our left child.
      writer.branch(treeId, k, feature, tree.threshold[k]!, 'BRANCH_LEQ', tree.left[k]!, tree.right[k]!);
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
      node: [writer.node('gbdt', inputName, outputName, [ens.base], 1)],
      input: [tensorInfo(inputName, ['N', ens.nFeatures])],
      output: [tensorInfo(outputName, ['N', 1])],
    },
    metadataProps: ens.featureNames ? [{ key: 'feature_names', value: JSON.stringify(ens.featureNames) }] : undefined,
  };
  return encodeModel(model);
}
