import * as ort from 'onnxruntime-web/wasm';

/**
 * onnxruntime-web alone in a worker, configured as featurecast configures it (wasm entry, one
 * thread, all graph optimisations), answering raw postMessages: no validation, no features, no
 * comlink, no watchdog. A message with `model` loads it (in place of any loaded before) and
 * answers a first one-row run; one with `matrix` runs those rows and answers with the output,
 * transferred.
 */

export type ReferenceRequest = { model: string; row: Float32Array } | { matrix: Float32Array; rows: number };

ort.env.wasm.numThreads = 1;
let session: ort.InferenceSession | undefined;
let width = 0;

async function run(matrix: Float32Array, rows: number): Promise<Float32Array> {
  const input = new ort.Tensor('float32', matrix, [rows, width]);
  const results = await session!.run({ [session!.inputNames[0]!]: input });
  input.dispose();
  return results[session!.outputNames[0]!]!.data as Float32Array;
}

async function answer(data: ReferenceRequest): Promise<void> {
  let output: Float32Array;
  if ('model' in data) {
    await session?.release();
    const bytes = new Uint8Array(await (await fetch(data.model)).arrayBuffer());
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    width = data.row.length;
    output = await run(data.row, 1);
  } else {
    output = await run(data.matrix, data.rows);
  }
  self.postMessage(output, { transfer: [output.buffer] });
}

// Rethrown from a timer, a failure becomes an error event on the page (a rejected promise would not).
self.onmessage = ({ data }: MessageEvent<ReferenceRequest>) =>
  void answer(data).catch((error: unknown) =>
    setTimeout(() => {
      throw error;
    }),
  );
