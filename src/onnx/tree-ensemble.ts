import { floats, int, ints, str, strings } from './attributes.js';
import type { OnnxNode } from './model.js';

/**
 * An `ai.onnx.ml.TreeEnsembleRegressor` node, written a tree node at a time: the node and target
 * lists of the ONNX attributes, kept in step. Used by the trainer's export and the XGBoost converter.
 */
export class TreeEnsembleWriter {
  private readonly nodes = { tree: [] as number[], id: [] as number[], feature: [] as number[], value: [] as number[] };
  private readonly links = { mode: [] as string[], t: [] as number[], f: [] as number[], missing: [] as number[] };
  private readonly targets = { tree: [] as number[], node: [] as number[], id: [] as number[], weight: [] as number[] };

  /** `trackMissing`: write `nodes_missing_value_tracks_true` (a NaN follows `missingTrue`). */
  constructor(private readonly trackMissing = false) {}

  /** A split: the ONNX "true" branch goes to `trueId` when `x <mode> threshold` holds. */
  branch(
    tree: number,
    id: number,
    feature: number,
    threshold: number,
    mode: string,
    trueId: number,
    falseId: number,
    missingTrue = false,
  ): void {
    this.push(tree, id, feature, threshold, mode, trueId, falseId, missingTrue ? 1 : 0);
  }

  /** A leaf adding `weight` to output `target`. */
  leaf(tree: number, id: number, target: number, weight: number): void {
    this.push(tree, id, 0, 0, 'LEAF', 0, 0, 0);
    this.targets.tree.push(tree);
    this.targets.node.push(id);
    this.targets.id.push(target);
    this.targets.weight.push(weight);
  }

  /** The node, attributes in name order as ONNX writers emit them. */
  node(name: string, input: string, output: string, baseValues: number[], nTargets: number): OnnxNode {
    const { nodes, links, targets } = this;
    return {
      input: [input],
      output: [output],
      name,
      opType: 'TreeEnsembleRegressor',
      domain: 'ai.onnx.ml',
      attribute: [
        str('aggregate_function', 'SUM'),
        floats('base_values', baseValues),
        int('n_targets', nTargets),
        ints('nodes_falsenodeids', links.f),
        ints('nodes_featureids', nodes.feature),
        ...(this.trackMissing ? [ints('nodes_missing_value_tracks_true', links.missing)] : []),
        strings('nodes_modes', links.mode),
        ints('nodes_nodeids', nodes.id),
        ints('nodes_treeids', nodes.tree),
        ints('nodes_truenodeids', links.t),
        floats('nodes_values', nodes.value),
        str('post_transform', 'NONE'),
        ints('target_ids', targets.id),
        ints('target_nodeids', targets.node),
        ints('target_treeids', targets.tree),
        floats('target_weights', targets.weight),
      ],
    };
  }

  private push(tree: number, id: number, feature: number, value: number, mode: string, t: number, f: number, missing: number): void {
    this.nodes.tree.push(tree);
    this.nodes.id.push(id);
    this.nodes.feature.push(feature);
    this.nodes.value.push(value);
    this.links.mode.push(mode);
    this.links.t.push(t);
    this.links.f.push(f);
    this.links.missing.push(missing);
  }
}
