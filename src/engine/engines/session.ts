import { BundleError, UnsupportedError } from '../../errors.js';
import { decodeModel, type OnnxModel } from '../../onnx/model.js';
import type { CacheOptions } from '../loading/cache.js';
import { createTreeSession, readTreeEnsemble } from './trees/index.js';

/** Which engine runs a model: the built-in tree engine, or onnxruntime-web for any other graph. */
export type EngineName = 'trees' | 'onnxruntime';
/** `auto` (default): the tree engine when the model is one tree ensemble, onnxruntime-web otherwise. */
export type EngineChoice = 'auto' | EngineName;

export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'trees', 'onnxruntime'];

export interface SessionSpec {
  inputName: string;
  outputName: string;
  width: number;
}

export interface Session {
  readonly engine: EngineName;
  /** Runs `rows` rows of `matrix` (row-major float32) and returns the output, `[rows, outputs]` row-major. */
  run(matrix: Float32Array, rows: number): Promise<Float32Array>;
  release(): Promise<void>;
}

export interface SessionOptions extends CacheOptions {
  engine?: EngineChoice | undefined;
  /** URL of onnxruntime-web's `ort-wasm-simd-threaded.wasm`, for apps that host it themselves. */
  wasmUrl?: string | undefined;
}

/** Opens `model` on the engine `options.engine` asks for; throws when that engine cannot run it. */
export async function createSession(
  model: Uint8Array,
  spec: SessionSpec,
  options: SessionOptions = {},
  onRuntimeBytes: (loaded: number, total: number | undefined) => void = () => {},
): Promise<Session> {
  const choice = options.engine ?? 'auto';
  if (!ENGINE_CHOICES.includes(choice)) {
    throw new UnsupportedError(`Unknown engine "${String(choice)}": use ${ENGINE_CHOICES.map((c) => `'${c}'`).join(', ')}`);
  }
  if (choice !== 'onnxruntime') {
    const ensemble = readTreeEnsemble(decode(model), spec);
    if (!('unsupported' in ensemble)) return createTreeSession(ensemble, spec);
    if (choice === 'trees')
      throw new UnsupportedError(`engine 'trees' runs a single tree-ensemble node, and this model does not: ${ensemble.unsupported}`);
  }
  // Imported here only, so an app whose models are tree ensembles never downloads onnxruntime.
  const { createOrtSession } = await import('./ort.js');
  return createOrtSession(model, spec, options, onRuntimeBytes);
}

function decode(model: Uint8Array): OnnxModel {
  try {
    return decodeModel(model);
  } catch (cause) {
    throw new BundleError(
      'ERR_BUNDLE_INVALID',
      `The model is not a readable ONNX file: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}
