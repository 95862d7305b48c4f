import * as ort from 'onnxruntime-web/wasm';
import { BundleError, EngineError } from '../../errors.js';
import { runtimeCache } from '../loading/cache.js';
import { serveWasm } from '../loading/wasm-fetch.js';
import type { Session, SessionOptions, SessionSpec } from './session.js';

/**
 * The only module that touches onnxruntime-web, imported on demand (session.ts). The `/wasm` entry
 * is deliberate: the default entry loads the 28 MB JSEP wasm, and the WebGPU/JSPI builds have no
 * TreeEnsemble op.
 */

let configured: Promise<void> | undefined;

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined';
}

/** Node's fetch cannot read file: URLs, so there the wasm is read from the installed package. */
async function readWasmInNode(): Promise<Uint8Array> {
  const moduleSpecifier = 'node:module';
  const fsSpecifier = 'node:fs/promises';
  const { createRequire } = (await import(/* @vite-ignore */ moduleSpecifier)) as typeof import('node:module');
  const { readFile } = (await import(/* @vite-ignore */ fsSpecifier)) as typeof import('node:fs/promises');
  const path = createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm');
  return new Uint8Array(await readFile(path));
}

function configure(options: SessionOptions): Promise<void> {
  configured ??= (async () => {
    // One thread: threads need a cross-origin-isolated page and gave no gain for tree models on 2 cores.
    ort.env.wasm.numThreads = 1;
    if (options.wasmUrl) ort.env.wasm.wasmPaths = { wasm: options.wasmUrl };
    else if (isNode()) ort.env.wasm.wasmBinary = await readWasmInNode();
  })();
  return configured;
}

export async function createOrtSession(
  model: Uint8Array,
  spec: SessionSpec,
  options: SessionOptions,
  onRuntimeBytes: (loaded: number, total: number | undefined) => void,
): Promise<Session> {
  await configure(options);
  let session: ort.InferenceSession;
  const wasm = serveWasm(runtimeCache(ort.env.versions.web ?? ort.env.versions.common, options), onRuntimeBytes);
  try {
    session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  } catch (cause) {
    // A stored wasm that onnxruntime could not start from must not fail every later visit too.
    await wasm.forgetServed();
    throw new EngineError(`onnxruntime could not create a session: ${message(cause)}`);
  } finally {
    wasm.restore();
  }
  const mismatch = checkSignature(session, spec);
  if (mismatch) {
    await session.release();
    throw new BundleError('ERR_BUNDLE_MISMATCH', `Model and manifest disagree: ${mismatch}`);
  }
  // One run now, inside the load: V8 compiles onnxruntime's wasm lazily, function by function, and
  // the first run's long task would otherwise fall into a caller's first call (and its watchdog).
  await prime(session, spec);
  return {
    engine: 'onnxruntime',
    async run(matrix, rows) {
      const input = new ort.Tensor('float32', matrix, [rows, spec.width]);
      let results: ort.InferenceSession.OnnxValueMapType | undefined;
      try {
        results = await session.run({ [spec.inputName]: input });
        const output = results[spec.outputName] as ort.Tensor;
        // ORT copies outputs out of the wasm heap, so the data stays valid after dispose().
        return output.data as Float32Array;
      } catch (cause) {
        throw new EngineError(`onnxruntime failed to run the model: ${message(cause)}`, { rows });
      } finally {
        input.dispose();
        for (const value of Object.values(results ?? {})) (value as ort.Tensor).dispose();
      }
    },
    release: () => session.release(),
  };
}

async function prime(session: ort.InferenceSession, spec: SessionSpec): Promise<void> {
  const input = new ort.Tensor('float32', new Float32Array(spec.width), [1, spec.width]);
  try {
    const results = await session.run({ [spec.inputName]: input });
    for (const value of Object.values(results)) (value as ort.Tensor).dispose();
  } catch (cause) {
    await session.release();
    throw new EngineError(`onnxruntime failed to run the model: ${message(cause)}`);
  } finally {
    input.dispose();
  }
}

/** A model's inputs and outputs as onnxruntime reads them: name, and for tensors the element type and shape. */
export interface ModelSignature {
  inputs: Array<{ name: string; type?: string; shape?: ReadonlyArray<number | string> }>;
  outputs: Array<{ name: string; type?: string; shape?: ReadonlyArray<number | string> }>;
}

/** Loads a model once to read its signature (build side: checks a user's model against a pipeline). */
export async function modelSignature(model: Uint8Array): Promise<ModelSignature> {
  await configure({});
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  } catch (cause) {
    throw new EngineError(`onnxruntime could not load the model: ${message(cause)}`);
  }
  const describe = (m: ort.InferenceSession.ValueMetadata) =>
    m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name };
  const signature = { inputs: session.inputMetadata.map(describe), outputs: session.outputMetadata.map(describe) };
  await session.release();
  return signature;
}

function checkSignature(session: ort.InferenceSession, spec: SessionSpec): string | undefined {
  if (!session.inputNames.includes(spec.inputName)) {
    return `manifest input "${spec.inputName}" is not a model input (model has ${session.inputNames.join(', ')})`;
  }
  if (!session.outputNames.includes(spec.outputName)) {
    return `manifest output "${spec.outputName}" is not a model output (model has ${session.outputNames.join(', ')})`;
  }
  const meta = session.inputMetadata.find((m) => m.name === spec.inputName);
  const width = meta?.isTensor ? meta.shape[1] : undefined;
  if (typeof width === 'number' && width !== spec.width) {
    return `the model takes ${width} input columns, the feature pipeline produces ${spec.width}`;
  }
  return undefined;
}

function message(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
