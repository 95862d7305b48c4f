import { LEAF, type TreeEnsemble } from './ensemble.js';

/** Rows the kernel walks in lockstep (kernel.wat); batches are padded to a multiple. */
export const LANES = 4;
export const FLAG_GENERAL = 1;
export const FLAG_LEAVES = 2;

// Which comparison outcomes send a row to the true child, as bits of idx = (x<t)*2 + (x==t) + (x!=x)*3:
// bit 0 x > t, bit 1 x == t, bit 2 x < t, bit 3 x is NaN. NEQ is true for NaN, as C's != is.
const MASKS = [0b0110, 0b0100, 0b0011, 0b0001, 0b0010, 0b1101];

export interface Layout {
  /** Tree records (root address, depth) at 0, then 16-byte node records; see kernel.wat. */
  image: Uint8Array;
  nodesAt: number;
  /** First free byte, 16-aligned: the input rows go here. */
  end: number;
  flags: number;
}

/**
 * The ensemble as the kernel's linear memory. Node i's record is at nodesAt + 16 i, so a leaf
 * address maps back to its node. All-BRANCH_LEQ ensembles without missing-value tracking use
 * the plain `x <= t` kernel, whose NaN handling (false) is onnxruntime's there.
 */
export function layOut(e: TreeEnsemble): Layout {
  const { nodes, roots, depths } = e;
  const n = nodes.modes.length;
  let general = false;
  for (let i = 0; i < n; i++) if (nodes.modes[i] !== LEAF && (nodes.modes[i] !== 0 || nodes.missingTrue[i])) general = true;
  const nodesAt = align(roots.length * 8);
  const end = align(nodesAt + n * 16);
  const image = new Uint8Array(end);
  const view = new DataView(image.buffer);
  roots.forEach((root, t) => {
    view.setUint32(t * 8, nodesAt + root * 16, true);
    view.setUint32(t * 8 + 4, depths[t]!, true);
  });
  for (let i = 0; i < n; i++) {
    const at = nodesAt + i * 16;
    const mode = nodes.modes[i]!;
    if (mode === LEAF) {
      view.setFloat32(at, e.leaves.unique[i]!, true);
      view.setUint32(at + 8, at, true);
      view.setUint32(at + 12, at, true);
      continue;
    }
    const threshold = nodes.values[i]!;
    // With a NaN threshold every comparison is false, except NEQ's.
    let mask = Number.isNaN(threshold) ? (mode === 5 ? 0b1101 : 0) : MASKS[mode]!;
    if (nodes.missingTrue[i]) mask |= 0b1000;
    view.setFloat32(at, threshold, true);
    view.setUint32(at + 4, (nodes.features[i]! * 4) | (general ? mask << 28 : 0), true);
    view.setUint32(at + 8, nodesAt + nodes.trueChild[i]! * 16, true);
    view.setUint32(at + 12, nodesAt + nodes.falseChild[i]! * 16, true);
  }
  return { image, nodesAt, end, flags: general ? FLAG_GENERAL : 0 };
}

export const align = (bytes: number) => Math.ceil(bytes / 16) * 16;
