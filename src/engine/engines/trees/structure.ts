import { BundleError } from '../../../errors.js';
import { LEAF, type TreeNodes } from './ensemble.js';

/** The node attributes, already length-checked; ids as the model gives them. */
export interface NodeAttributes {
  treeIds: number[];
  nodeIds: number[];
  modes: Uint8Array;
  trueIds: number[];
  falseIds: number[];
}

export interface Structure {
  trueChild: Int32Array;
  falseChild: Int32Array;
  roots: Int32Array;
  depths: Int32Array;
  /** Node index by tree id, then node id. */
  index: Map<number, Map<number, number>>;
}

const invalid = (op: string, message: string) => new BundleError('ERR_BUNDLE_INVALID', `${op}: ${message}`);

/**
 * Links children to parents and measures depths, rejecting what would make a walk loop or read
 * out of bounds. Like onnxruntime: a tree is a contiguous run of equal nodes_treeids whose first
 * node is the root, every node of the run must be reachable from it, and children are looked up
 * within the tree (ids in [0, node count)). Shared children are allowed (converters emit them).
 */
export function linkTrees(op: string, a: NodeAttributes): Structure {
  const n = a.treeIds.length;
  if (n === 0) throw invalid(op, 'the ensemble has no nodes (nodes_treeids is empty)');
  const index = new Map<number, Map<number, number>>();
  const rootList: number[] = [];
  let previous: number | undefined;
  for (let i = 0; i < n; i++) {
    const tree = a.treeIds[i]!;
    const id = a.nodeIds[i]!;
    if (!Number.isSafeInteger(tree) || tree < 0) throw invalid(op, `nodes_treeids[${i}] = ${tree} is not a non-negative id`);
    if (!Number.isSafeInteger(id) || id < 0) throw invalid(op, `nodes_nodeids[${i}] = ${id} is not a non-negative id`);
    let nodes = index.get(tree);
    if (tree !== previous) {
      if (nodes) throw invalid(op, `nodes_treeids[${i}] = ${tree}: the nodes of tree ${tree} are not contiguous`);
      index.set(tree, (nodes = new Map()));
      rootList.push(i);
      previous = tree;
    }
    if (nodes!.has(id)) throw invalid(op, `nodes_nodeids[${i}] = ${id}: node ${id} of tree ${tree} is defined twice`);
    nodes!.set(id, i);
  }
  const trueChild = new Int32Array(n).fill(-1);
  const falseChild = new Int32Array(n).fill(-1);
  const child = (i: number, ids: number[], name: string): number => {
    const id = ids[i]!;
    const found = Number.isSafeInteger(id) && id >= 0 && id < n ? index.get(a.treeIds[i]!)!.get(id) : undefined;
    if (found === undefined) throw invalid(op, `${name}[${i}] = ${id}: tree ${a.treeIds[i]} has no node ${id}`);
    if (found === i) throw invalid(op, `${name}[${i}] = ${id}: node ${id} of tree ${a.treeIds[i]} points to itself`);
    return found;
  };
  for (let i = 0; i < n; i++) {
    if (a.modes[i] === LEAF) continue;
    trueChild[i] = child(i, a.trueIds, 'nodes_truenodeids');
    falseChild[i] = child(i, a.falseIds, 'nodes_falsenodeids');
  }
  const roots = Int32Array.from(rootList);
  const depths = new Int32Array(roots.length);
  // Iterative post-order: 0 = unseen, 1 = on the path (seeing it again is a cycle), 2 = done.
  const state = new Uint8Array(n);
  const depth = new Int32Array(n);
  const stack: number[] = [];
  roots.forEach((root, t) => {
    stack.push(root);
    while (stack.length > 0) {
      const i = stack[stack.length - 1]!;
      if (state[i] === 0) {
        state[i] = 1;
        if (a.modes[i] === LEAF) continue;
        for (const c of [trueChild[i]!, falseChild[i]!]) {
          if (state[c] === 1)
            throw invalid(op, `nodes_nodeids[${c}] = ${a.nodeIds[c]}: tree ${a.treeIds[i]} has a cycle through node ${a.nodeIds[c]}`);
          if (state[c] === 0) stack.push(c);
        }
      } else {
        stack.pop();
        if (state[i] === 1) {
          state[i] = 2;
          depth[i] = a.modes[i] === LEAF ? 0 : 1 + Math.max(depth[trueChild[i]!]!, depth[falseChild[i]!]!);
        }
      }
    }
    depths[t] = depth[root]!;
  });
  const lost = state.indexOf(0);
  if (lost >= 0)
    throw invalid(
      op,
      `nodes_nodeids[${lost}] = ${a.nodeIds[lost]}: node ${a.nodeIds[lost]} of tree ${a.treeIds[lost]} is not reachable from the tree's first node`,
    );
  return { trueChild, falseChild, roots, depths, index };
}

export type { TreeNodes };
