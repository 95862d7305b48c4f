import { readFileSync } from 'node:fs';
import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { bundleModel } from '../../src/build/bundle.js';
import { fitPipeline } from '../../src/build/fit.js';
import type { PipelineSpec } from '../../src/build/spec.js';
import { compilePipeline } from '../../src/features/pipeline.js';
import { createFetchHandler, createPredictor, isRejected } from '../../src/index.js';

/** Models from other tools' shapes (test/fixtures/onnx/make_*_fixtures.py), bundled and run through predict / predictBatch. */

const fixture = (name: string) => new URL(`../fixtures/onnx/${name}`, import.meta.url).pathname;
const numbers = (names: string[]): PipelineSpec['inputs'] => names.map((name) => ({ name, type: 'number', outOfRange: 'extrapolate' }));
const passthrough = (names: string[]): PipelineSpec['features'] => names.map((input) => ({ step: 'passthrough', input }));

/** onnxruntime-node's own answer for the same rows: the reference the library must equal. */
async function native(path: string, input: string, output: string, matrix: Float32Array, width: number): Promise<Float32Array> {
  const session = await ortNode.InferenceSession.create(path);
  const out = await session.run({ [input]: new ortNode.Tensor('float32', matrix, [matrix.length / width, width]) });
  return out[output]!.data as Float32Array;
}

const rows3 = Array.from({ length: 50 }, (_, i) => ({ a: (i % 7) - 3, b: (i % 5) / 2, c: i / 10 }));

describe('regressors from other tools', () => {
  for (const [file, input, output] of [
    ['linear-regressor.onnx', 'X', 'Y'],
    ['mlp.onnx', 'input', 'output'],
  ] as const) {
    it(`${file}: one number per record, equal to onnxruntime-node`, async () => {
      const spec: PipelineSpec = {
        name: file,
        version: '1',
        inputs: numbers(['a', 'b', 'c']),
        features: passthrough(['a', 'b', 'c']),
        output: { name: 'y' },
      };
      const pipeline = await fitPipeline(spec, rows3);
      const bundle = await bundleModel(pipeline, fixture(file), { check: rows3 });
      expect(bundle.manifest.model).toMatchObject({ inputName: input, outputName: output });
      const predictor = await createPredictor(bundle, { worker: false });
      const out = await predictor.predictBatch(rows3);
      await predictor.dispose();
      const { matrix } = compilePipeline(pipeline.inputs, pipeline.features).encode(rows3);
      const want = await native(fixture(file), input, output, matrix, 3);
      expect(out.map((p) => Object.keys(p))).toEqual(rows3.map(() => ['y']));
      out.forEach((p, i) => expect(p.y).toBeCloseTo(want[i]!, 5));
    });
  }
});

describe('a classifier whose probabilities are a tensor', () => {
  const spec: PipelineSpec = {
    name: 'levels',
    version: '1',
    inputs: numbers(['x0', 'x1']),
    features: passthrough(['x0', 'x1']),
    output: { name: 'level', kind: 'classification', labels: ['low', 'mid', 'high'] },
  };
  const rows = [
    { x0: 0, x1: 0 },
    { x0: 0, x1: 1 },
    { x0: 1, x1: 1 },
    { x0: 1, x1: 0.5 },
    { x0: 0.5, x1: 0.75 },
  ];

  it('predicts a label and a probability per label, equal to onnxruntime-node; the HTTP handler answers the same', async () => {
    const pipeline = await fitPipeline(spec, rows);
    const bundle = await bundleModel(pipeline, fixture('tree-classifier.onnx'), { check: rows });
    expect(bundle.manifest.model.outputName).toBe('probabilities');
    expect(bundle.manifest.reference!.output).toMatchObject({ edges: [0.5, 1.5], freq: [0.4, 0.4, 0.2] });
    const predictor = await createPredictor(bundle, { worker: false });
    const out = await predictor.predictBatch(rows);
    expect(out[0]).toEqual({ level: 'low', probabilities: { low: 0.75, mid: 0.125, high: 0.125 } });
    expect(out.map((p) => p.level)).toEqual(['low', 'mid', 'high', 'low', 'mid']);
    const { matrix } = compilePipeline(pipeline.inputs, pipeline.features).encode(rows);
    const want = await native(fixture('tree-classifier.onnx'), 'X', 'probabilities', matrix, 2);
    out.forEach((p, i) => expect(Object.values(p.probabilities!)).toEqual(Array.from(want.subarray(i * 3, i * 3 + 3))));
    expect(predictor.info.output).toMatchObject({ kind: 'classification', labels: ['low', 'mid', 'high'] });

    const handler = createFetchHandler(predictor);
    const response = await handler(
      new Request('http://localhost/predict', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rows),
      }),
    );
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(out)));
    await predictor.dispose();
  });

  it('reports accuracy, log-loss and Brier score from true labels; calibrate refuses a classifier', async () => {
    const pipeline = await fitPipeline(spec, rows);
    const predictor = await createPredictor(await bundleModel(pipeline, fixture('tree-classifier.onnx')), { worker: false });
    // Predicted low, mid, high, low, mid, each with probability .75 (the other two .125); the second is really "low".
    const truth = ['low', 'low', 'high', 'low', 'mid'];
    const snapshot = await predictor.reportActuals(rows.map((record, i) => ({ record, actual: truth[i]! })));
    const hitBrier = 0.25 ** 2 + 2 * 0.125 ** 2;
    const missBrier = 0.875 ** 2 + 0.75 ** 2 + 0.125 ** 2;
    expect(snapshot).toMatchObject({
      count: 5,
      accuracy: 0.8,
      logLoss: Math.round(((-4 * Math.log(0.75) - Math.log(0.125)) / 5) * 1e4) / 1e4,
      brier: Math.round(((4 * hitBrier + missBrier) / 5) * 1e4) / 1e4,
      mae: undefined,
      status: 'insufficient-data',
    });
    await expect(predictor.reportActuals([{ record: rows[0], actual: 'medium' }])).rejects.toThrow(
      /expected one of the labels "low", "mid", "high"/,
    );
    await expect(predictor.reportActuals([{ date: '2024-01-01', actual: 'low' } as never])).rejects.toThrow(/needs the record/);
    await expect(predictor.calibrate(rows.map((record) => ({ record, actual: 'low' })))).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' });
    const report = await predictor.predictBatch([{ x0: 'a', x1: 0 }, rows[2]!], { invalid: 'report' });
    expect(isRejected(report[0]!)).toBe(true);
    expect(report[1]).toMatchObject({ level: 'high' });
    await predictor.dispose();
  });

  it('a ZipMap output is refused with the export option that avoids it; a label count that does not fit is refused', async () => {
    const pipeline = await fitPipeline(spec, rows);
    await expect(bundleModel(pipeline, fixture('tree-classifier-zipmap.onnx'))).rejects.toThrow(/ZipMap[\s\S]*options=\{"zipmap": False\}/);
    const two = await fitPipeline({ ...spec, output: { ...spec.output, labels: ['no', 'yes'] } }, rows);
    await expect(bundleModel(two, fixture('tree-classifier.onnx'))).rejects.toThrow(
      /float32 tensor \[N, 2\] of the probabilities of no, yes; the model's outputs are label \(int64/,
    );
    await expect(fitPipeline({ ...spec, output: { ...spec.output, transform: 'log' } }, rows)).rejects.toThrow(
      /takes no output\.transform/,
    );
    const bytes = readFileSync(fixture('tree-classifier.onnx'));
    const regression = await fitPipeline({ ...spec, output: { name: 'y' } }, rows);
    await expect(bundleModel(regression, new Uint8Array(bytes))).rejects.toThrow(/float32 tensor \[N, 1\]/);
  });
});
