/**
 * Perf probe (not a test): the built-in tree engine against onnxruntime-node and onnxruntime-web
 * on bike-daily's model, same process, same float32 matrix. Prints medians of several runs.
 *   npx tsx test/bench/trees-probe.ts [model.onnx] [rows]
 */
import { readFileSync } from 'node:fs';
import * as ortNode from 'onnxruntime-node';
import { createSession } from '../../src/engine/engines/session.js';
import { createTreeSession, readTreeEnsemble } from '../../src/engine/engines/trees/index.js';
import { decodeModel } from '../../src/onnx/model.js';

const file = process.argv[2] ?? 'models/bike-daily/model.onnx';
const bigRows = Number(process.argv[3] ?? 100_000);
const bytes = new Uint8Array(readFileSync(file));
const model = decodeModel(bytes);
const input = model.graph!.input![0]!;
const width = input.type!.tensorType!.shape!.dim![1]!.dimValue!;
const spec = { inputName: input.name!, outputName: model.graph!.output![0]!.name!, width };
const ensemble = readTreeEnsemble(model, spec);
if ('unsupported' in ensemble) throw new Error(ensemble.unsupported);

// Rows spread over each feature's thresholds, so walks take varied paths.
const matrix = new Float32Array(bigRows * width);
let seed = 1;
const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const ranges = Array.from({ length: width }, (_, f) => {
  const t = Array.from(ensemble.nodes.values.filter((_, i) => ensemble.nodes.features[i] === f && ensemble.nodes.modes[i] !== 6));
  return t.length ? [Math.min(...t), Math.max(...t)] : [0, 1];
});
for (let r = 0; r < bigRows; r++)
  for (let f = 0; f < width; f++) {
    const [lo, hi] = ranges[f]!;
    matrix[r * width + f] = lo! + (hi! - lo!) * (random() * 1.2 - 0.1);
  }

const trees = await createTreeSession(ensemble, spec);
const web = await createSession(bytes, spec, { engine: 'onnxruntime' });
// Default options: onnxruntime-node may use both cores; the single-threaded one is printed too.
const node = await ortNode.InferenceSession.create(bytes);
const node1 = await ortNode.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const engines: Record<string, (m: Float32Array, rows: number) => Promise<unknown>> = {
  trees: (m, rows) => trees.run(m, rows),
  'onnxruntime-node': (m, rows) => node.run({ [spec.inputName]: new ortNode.Tensor('float32', m, [rows, width]) }),
  'onnxruntime-node 1 thread': (m, rows) => node1.run({ [spec.inputName]: new ortNode.Tensor('float32', m, [rows, width]) }),
  'onnxruntime-web': (m, rows) => web.run(m, rows),
};

const a = await trees.run(matrix, bigRows);
const b = (await node.run({ [spec.inputName]: new ortNode.Tensor('float32', matrix, [bigRows, width]) }))[spec.outputName]!
  .data as Float32Array;
const c = await web.run(matrix, bigRows);
let diffNode = 0,
  diffWeb = 0;
for (let i = 0; i < a.length; i++) {
  if (!Object.is(a[i], b[i])) diffNode++;
  if (!Object.is(a[i], c[i])) diffWeb++;
}
console.log(
  `${file}: ${ensemble.roots.length} trees, ${ensemble.nodes.modes.length} nodes, width ${width}; outputs differing from onnxruntime-node: ${diffNode}, from onnxruntime-web: ${diffWeb} of ${a.length}`,
);

const median = (xs: number[]) => xs.sort((p, q) => p - q)[xs.length >> 1]!;
async function time(run: (m: Float32Array, rows: number) => Promise<unknown>, rows: number, reps: number): Promise<number> {
  const m = matrix.subarray(0, rows * width);
  for (let i = 0; i < Math.min(reps, 20); i++) await run(m, rows);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await run(m, rows);
    times.push(performance.now() - t0);
  }
  return median(times);
}

const results: Record<string, { one: number; big: number }> = {};
for (let round = 0; round < 3; round++) {
  for (const [name, run] of Object.entries(engines)) {
    const one = await time(run, 1, 2000);
    const big = await time(run, bigRows, 7);
    const r = (results[name] ??= { one: Infinity, big: Infinity });
    r.one = Math.min(r.one, one);
    r.big = Math.min(r.big, big);
  }
}
for (const [name, r] of Object.entries(results)) {
  console.log(
    `${name.padEnd(26)} 1 row: ${(r.one * 1000).toFixed(1)} µs   ${bigRows} rows: ${r.big.toFixed(1)} ms = ${Math.round(bigRows / r.big)}k rows/s`,
  );
}
const t = results.trees!;
console.log(
  `trees vs onnxruntime-node, ${bigRows} rows: ${(results['onnxruntime-node']!.big / t.big).toFixed(2)}x; vs onnxruntime-web: ${(results['onnxruntime-web']!.big / t.big).toFixed(2)}x`,
);
await trees.release();
await web.release();
await node.release();
await node1.release();
