import { BundleError, UnsupportedError } from '../../errors.js';
import { decodeModel, type OnnxModel } from '../../onnx/model.js';
import type { CacheOptions } from '../loading/cache.js';
import type { OpenedBundle } from '../loading/bundle.js';
import { createTreeSession, ensembleStore, readTreeEnsemble, type TreeEnsemble } from './trees/index.js';

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
  const choice = engineChoice(options.engine);
  const ensemble = choice === 'onnxruntime' ? undefined : treeEnsembleOf(model, spec, choice);
  return ensemble ? createTreeSession(ensemble, spec) : ortSession(model, spec, options, onRuntimeBytes);
}

/**
 * Opens a bundle's model as `createSession` does. A tree ensemble kept from an earlier load of the
 * same model (trees/stored.ts) spares reading the model at all; one read now is kept for the next.
 * `onSession` is called once the model is in hand, before its session is made.
 */
export async function openSession(
  bundle: OpenedBundle,
  spec: SessionSpec,
  options: SessionOptions,
  onRuntimeBytes: (loaded: number, total: number | undefined) => void,
  onSession: () => void,
): Promise<Session> {
  const choice = engineChoice(options.engine);
  const store =
    choice !== 'onnxruntime' && bundle.modelUrl ? ensembleStore(bundle.modelUrl, bundle.manifest.model.sha256, options) : undefined;
  const kept = await store?.read(spec, bundle.keptEnsemble);
  if (kept) {
    onSession();
    return createTreeSession(kept, spec);
  }
  const model = await bundle.readModel();
  onSession();
  const ensemble = choice === 'onnxruntime' ? undefined : treeEnsembleOf(model, spec, choice);
  if (!ensemble) return ortSession(model, spec, options, onRuntimeBytes);
  const session = await createTreeSession(ensemble, spec);
  if (!store) return session;
  // A moment after the load, so that encoding it does not delay the first predictions; at once if released before.
  let keeping: Promise<void> | undefined;
  const keep = () => (keeping ??= store.keep(ensemble, spec));
  const timer = setTimeout(keep, KEEP_AFTER_MS);
  return {
    ...session,
    async release() {
      clearTimeout(timer);
      await keep();
      await session.release();
    },
  };
}

/** How long after a load its ensemble is kept: a first prediction usually follows the load within a few milliseconds. */
const KEEP_AFTER_MS = 100;

function engineChoice(choice: EngineChoice | undefined = 'auto'): EngineChoice {
  if (!ENGINE_CHOICES.includes(choice)) {
    throw new UnsupportedError(`Unknown engine "${String(choice)}": use ${ENGINE_CHOICES.map((c) => `'${c}'`).join(', ')}`);
  }
  return choice;
}

/** The model's tree ensemble, or undefined when the tree engine does not run it and `auto` may fall back to onnxruntime. */
function treeEnsembleOf(model: Uint8Array, spec: SessionSpec, choice: EngineChoice): TreeEnsemble | undefined {
  const ensemble = readTreeEnsemble(decode(model), spec);
  if (!('unsupported' in ensemble)) return ensemble;
  if (choice === 'trees')
    throw new UnsupportedError(`engine 'trees' runs a single tree-ensemble node, and this model does not: ${ensemble.unsupported}`);
  return undefined;
}

async function ortSession(
  model: Uint8Array,
  spec: SessionSpec,
  options: SessionOptions,
  onRuntimeBytes: (loaded: number, total: number | undefined) => void,
): Promise<Session> {
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
