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
  /** The index of node `id` of tree `tree`, or -1. */
  find(tree: number, id: number): number;
}

const invalid = (op: string, message: string) => new BundleError('ERR_BUNDLE_INVALID', `${op}: ${message}`);

/**
 * Links children to parents and measures depths, rejecting what would make a walk loop or read
 * out of bounds. Like onnxruntime: a tree is a contiguous run of equal nodes_treeids whose first
 * node is the root, every node of the run must be reachable from it, and children are looked up
 * within the tree (ids in [0, node count)). Shared children are allowed (converters emit them).
 * Written as plain loops over typed arrays: it runs once per load, while the code is still cold.
 */
export function linkTrees(op: string, a: NodeAttributes): Structure {
  const n = a.treeIds.length;
  if (n === 0) throw invalid(op, 'the ensemble has no nodes (nodes_treeids is empty)');
  // Trees as runs of nodes; node ids below their run's size (the usual numbering) in a flat table, any others in a Map.
  const runOfTree = new Map<number, number>();
  const runStart: number[] = [];
  const runOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const tree = a.treeIds[i]!;
    if (!Number.isSafeInteger(tree) || tree < 0) throw invalid(op, `nodes_treeids[${i}] = ${tree} is not a non-negative id`);
    if (i === 0 || tree !== a.treeIds[i - 1]) {
      if (runOfTree.has(tree)) throw invalid(op, `nodes_treeids[${i}] = ${tree}: the nodes of tree ${tree} are not contiguous`);
      runOfTree.set(tree, runStart.length);
      runStart.push(i);
    }
    runOf[i] = runStart.length - 1;
  }
  runStart.push(n);
  const slot = new Int32Array(n).fill(-1);
  const sparse = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const id = a.nodeIds[i]!;
    if (!Number.isSafeInteger(id) || id < 0) throw invalid(op, `nodes_nodeids[${i}] = ${id} is not a non-negative id`);
    const run = runOf[i]!;
    const start = runStart[run]!;
    const flat = id < runStart[run + 1]! - start;
    if (flat ? slot[start + id] !== -1 : sparse.has(`${run}:${id}`))
      throw invalid(op, `nodes_nodeids[${i}] = ${id}: node ${id} of tree ${a.treeIds[i]} is defined twice`);
    if (flat) slot[start + id] = i;
    else sparse.set(`${run}:${id}`, i);
  }
  const inRun = (run: number, id: number): number => {
    const start = runStart[run]!;
    return id < runStart[run + 1]! - start ? slot[start + id]! : (sparse.get(`${run}:${id}`) ?? -1);
  };

  const trueChild = new Int32Array(n).fill(-1);
  const falseChild = new Int32Array(n).fill(-1);
  const child = (i: number, ids: number[], name: string): number => {
    const id = ids[i]!;
    const found = Number.isSafeInteger(id) && id >= 0 && id < n ? inRun(runOf[i]!, id) : -1;
    if (found < 0) throw invalid(op, `${name}[${i}] = ${id}: tree ${a.treeIds[i]} has no node ${id}`);
    if (found === i) throw invalid(op, `${name}[${i}] = ${id}: node ${id} of tree ${a.treeIds[i]} points to itself`);
    return found;
  };
  for (let i = 0; i < n; i++) {
    if (a.modes[i] === LEAF) continue;
    trueChild[i] = child(i, a.trueIds, 'nodes_truenodeids');
    falseChild[i] = child(i, a.falseIds, 'nodes_falsenodeids');
  }
  const roots = Int32Array.from(runStart.slice(0, -1));
  const depths = depthsOf(op, a, roots, trueChild, falseChild);
  return {
    trueChild,
    falseChild,
    roots,
    depths,
    find: (tree, id) => {
      const run = runOfTree.get(tree);
      return run === undefined || !Number.isSafeInteger(id) || id < 0 ? -1 : inRun(run, id);
    },
  };
}

/** Each tree's depth, by an iterative post-order walk: 0 = unseen, 1 = on the path (seeing it again is a cycle), 2 = done. */
function depthsOf(op: string, a: NodeAttributes, roots: Int32Array, trueChild: Int32Array, falseChild: Int32Array): Int32Array {
  const n = a.treeIds.length;
  const depths = new Int32Array(roots.length);
  const state = new Uint8Array(n);
  const depth = new Int32Array(n);
  // A node is pushed at most once per edge into it (shared children), and each root once.
  const stack = new Int32Array(2 * n + roots.length);
  const visit = (from: number, c: number, top: number): number => {
    if (state[c] === 1)
      throw invalid(op, `nodes_nodeids[${c}] = ${a.nodeIds[c]}: tree ${a.treeIds[from]} has a cycle through node ${a.nodeIds[c]}`);
    if (state[c] === 0) stack[top++] = c;
    return top;
  };
  for (let t = 0; t < roots.length; t++) {
    let top = 0;
    stack[top++] = roots[t]!;
    while (top > 0) {
      const i = stack[top - 1]!;
      if (state[i] === 0) {
        state[i] = 1;
        if (a.modes[i] === LEAF) continue;
        top = visit(i, trueChild[i]!, top);
        top = visit(i, falseChild[i]!, top);
      } else {
        top--;
        if (state[i] === 1) {
          state[i] = 2;
          depth[i] = a.modes[i] === LEAF ? 0 : 1 + Math.max(depth[trueChild[i]!]!, depth[falseChild[i]!]!);
        }
      }
    }
    depths[t] = depth[roots[t]!]!;
  }
  const lost = state.indexOf(0);
  if (lost >= 0)
    throw invalid(
      op,
      `nodes_nodeids[${lost}] = ${a.nodeIds[lost]}: node ${a.nodeIds[lost]} of tree ${a.treeIds[lost]} is not reachable from the tree's first node`,
    );
  return depths;
}

export type { TreeNodes };
