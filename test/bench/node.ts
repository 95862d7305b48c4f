import { readFileSync } from 'node:fs';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web/wasm';
import { createPredictor } from '../../src/index.js';
import { compilePipeline } from '../../src/features/pipeline.js';
import type { Manifest } from '../../src/schema/manifest.js';
import { median, medianMs, percentile, round } from './stats.js';
import { benchRecords } from './records.js';

/**
 * Node figures: one `predict` (validation + features + model) latency, `predictBatch` throughput,
 * the same ONNX model run by onnxruntime-node natively on the same feature matrix, featurecast
 * with `engine: 'onnxruntime'`, and the cost of monitoring. References and subject are measured
 * in the same run, interleaved.
 */

const MANIFEST = 'models/bike-daily/manifest.json';

export interface NodeFigures {
  /** What ran the model in the featurecast rows (`info.engine`). */
  engine: string;
  predictP50Ms: number;
  predictP99Ms: number;
  batchRecordsPerSec: Record<string, number>;
  ortNodeRecordsPerSec: number;
  /** The same wasm featurecast uses, on the pre-encoded matrix: separates wasm-vs-native from our own overhead. */
  ortWebRecordsPerSec: number;
  vsOrtNode: number;
  /** featurecast's predictBatch of 100,000 with `engine: 'onnxruntime'`, records/s. */
  viaOnnxruntimeRecordsPerSec: number;
  monitorOverhead: number;
}

export async function benchNode(quick: boolean): Promise<NodeFigures> {
  const predictor = await createPredictor(MANIFEST, { worker: false });
  const quiet = await createPredictor(MANIFEST, { worker: false, monitor: false });
  const viaOrt = await createPredictor(MANIFEST, { worker: false, engine: 'onnxruntime' });
  const records = benchRecords(100_000);

  const calls = quick ? 2_000 : 10_000;
  for (let i = 0; i < 200; i++) await predictor.predict(records[i]);
  const latencies: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await predictor.predict(records[i % records.length]);
    latencies.push(performance.now() - t0);
  }

  const batchRecordsPerSec: Record<string, number> = {};
  for (const size of [1, 1_000, 10_000, 100_000]) {
    const slice = records.slice(0, size);
    const reps = Math.max(3, Math.min(quick ? 200 : 1000, Math.floor((quick ? 100_000 : 400_000) / size)));
    batchRecordsPerSec[String(size)] = Math.round(size / ((await medianMs(reps, () => predictor.predictBatch(slice))) / 1000));
  }

  // Same model, same 100,000 rows, natively: the features are encoded once, outside the timing.
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  const { matrix, rows } = compilePipeline(manifest.inputs, manifest.features).encode(records);
  const modelBytes = readFileSync('models/bike-daily/model.onnx');
  const session = await ortNode.InferenceSession.create(modelBytes);
  const tensor = new ortNode.Tensor('float32', matrix, [rows, manifest.model.columns.length]);
  // The `engine: 'onnxruntime'` predictor above already configured onnxruntime-web's wasm for Node.
  const webSession = await ortWeb.InferenceSession.create(modelBytes);
  const webTensor = new ortWeb.Tensor('float32', matrix, [rows, manifest.model.columns.length]);
  const reps = quick ? 2 : 7;
  const native: number[] = [];
  const web: number[] = [];
  const ours: number[] = [];
  const unmonitored: number[] = [];
  const throughOrt: number[] = [];
  for (let r = 0; r < reps; r++) {
    native.push(await medianMs(1, () => session.run({ [manifest.model.inputName]: tensor })));
    web.push(await medianMs(1, () => webSession.run({ [manifest.model.inputName]: webTensor })));
    ours.push(await medianMs(1, () => predictor.predictBatch(records)));
    unmonitored.push(await medianMs(1, () => quiet.predictBatch(records)));
    throughOrt.push(await medianMs(1, () => viaOrt.predictBatch(records)));
  }
  await session.release();
  await webSession.release();
  await predictor.dispose();
  await quiet.dispose();
  await viaOrt.dispose();
  const ortNodeRecordsPerSec = Math.round(rows / (median(native) / 1000));
  return {
    engine: predictor.info.engine,
    predictP50Ms: round(percentile(latencies, 0.5)),
    predictP99Ms: round(percentile(latencies, 0.99)),
    batchRecordsPerSec,
    ortNodeRecordsPerSec,
    ortWebRecordsPerSec: Math.round(rows / (median(web) / 1000)),
    vsOrtNode: round(median(native) / median(ours)),
    viaOnnxruntimeRecordsPerSec: Math.round(rows / (median(throughOrt) / 1000)),
    monitorOverhead: round(median(ours) / median(unmonitored) - 1),
  };
}
