import { EngineError } from '../../../errors.js';
import type { Session, SessionSpec } from '../session.js';
import { Aggregator, finishOne } from './aggregate.js';
import type { TreeEnsemble } from './ensemble.js';
import { loadKernel } from './kernel.js';
import { align, FLAG_LEAVES, LANES, layOut } from './layout.js';

/** Rows per kernel call when it writes one leaf address per tree and row. */
const LEAF_CHUNK = 1024;

/**
 * A Session over the ensemble: the kernel (wasm, or its JavaScript twin) walks the trees and
 * either sums leaf values itself (one output, SUM or AVERAGE: the common case) or hands back the
 * leaves for the aggregators in aggregate.ts. Each session has its own kernel and memory, grown to
 * the largest batch seen and kept for the next call.
 */
export async function createTreeSession(ensemble: TreeEnsemble, spec: SessionSpec): Promise<Session> {
  const { memory, grow, run } = await loadKernel();
  const layout = layOut(ensemble);
  const { width } = spec;
  const trees = ensemble.roots.length;
  const n = ensemble.outputs;
  const summed = n === 1 && ensemble.op === 'TreeEnsembleRegressor' && (ensemble.aggregate === 'SUM' || ensemble.aggregate === 'AVERAGE');
  const aggregator = summed ? undefined : new Aggregator(ensemble);
  grow(layout.end);
  new Uint8Array(memory.buffer).set(layout.image);
  let released = false;

  return {
    engine: 'trees',
    async run(matrix, rows) {
      if (released) throw new EngineError('the tree session was released');
      if (!(Number.isInteger(rows) && rows >= 0 && matrix.length >= rows * width)) {
        throw new EngineError(`the tree engine got ${matrix.length} values for ${rows} rows of ${width}`, { rows });
      }
      const result = new Float32Array(rows * n);
      const stride = width * 4;
      for (let first = 0; first < rows; first += summed ? rows : LEAF_CHUNK) {
        const count = Math.min(rows - first, summed ? rows : LEAF_CHUNK);
        const padded = Math.ceil(count / LANES) * LANES;
        const x = layout.end;
        const out = align(x + padded * stride);
        grow(out + padded * 4 * (summed ? 1 : trees));
        const input = new Float32Array(memory.buffer, x, padded * width);
        input.set(matrix.subarray(first * width, (first + count) * width));
        input.fill(0, count * width);
        run(0, trees, x, stride, padded, out, layout.flags | (summed ? 0 : FLAG_LEAVES));
        if (summed) {
          const sums = new Float32Array(memory.buffer, out, count);
          for (let r = 0; r < count; r++)
            result[first + r] = finishOne(ensemble, sums[r]!, trees, ensemble.baseValues, ensemble.postTransform);
          continue;
        }
        // Leaf addresses become node indexes in place.
        const leaves = new Int32Array(memory.buffer, out, count * trees);
        for (let k = 0; k < leaves.length; k++) leaves[k] = (leaves[k]! - layout.nodesAt) >> 4;
        for (let r = 0; r < count; r++) {
          if (n === 1) result[first + r] = aggregator!.one(leaves, r * trees, trees);
          else aggregator!.many(leaves, r * trees, trees, result, (first + r) * n);
        }
      }
      return result;
    },
    async release() {
      released = true;
    },
  };
}
