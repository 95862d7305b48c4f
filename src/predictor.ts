import { AbortedError, DisposedError, TimeoutError, ValidationError } from './errors.js';
import { resolveSource, type BundleSource, type LoadProgress } from './engine/loading/source.js';
import type { RunOptions } from './engine/core.js';
import type { EngineChoice } from './engine/engines/session.js';
import { WorkerBackend, type Backend } from './engine/transport/remote.js';
import { toPredictions, type Prediction, type RejectedRecord } from './outputs/postprocess.js';
import { describeBundle, type BundleInfo } from './schema/info.js';
import type { AccuracySnapshot, Actual } from './monitor/accuracy.js';
import type { MonitorSnapshot } from './monitor/monitor.js';

export interface PredictorOptions {
  /** Run the model in a module Web Worker. Default: true where `Worker` exists in a browser; Node always runs inline. */
  worker?: boolean;
  /** Load progress: stage and bytes of manifest/model. */
  onProgress?: (progress: LoadProgress) => void;
  /** SRI-style hash of manifest.json (`sha256-<base64>`); load fails if it differs. */
  integrity?: string;
  /** Use the Cache API for manifest, model and (in a worker, when a model needs it) onnxruntime's wasm. Default true. */
  cache?: boolean;
  /** Cache API cache name. Default `featurecast-v1`. */
  cacheName?: string;
  /** URL of onnxruntime-web's `ort-wasm-simd-threaded.wasm`, when the app hosts it itself. */
  wasmUrl?: string;
  /** Count every predicted record for `monitor()` (a few additions per record). Default true. */
  monitor?: boolean;
  /** Default per-call timeout in milliseconds (none by default). */
  timeoutMs?: number;
  /**
   * `auto` (default): a model that is one tree ensemble runs on the built-in tree engine, any other
   * graph on onnxruntime-web (imported only then). `trees` fails to load a model it cannot run.
   */
  engine?: EngineChoice;
}

export interface CallOptions {
  /** Reject with TimeoutError after this many milliseconds. */
  timeoutMs?: number;
  /** Reject with AbortedError when this signal fires. */
  signal?: AbortSignal;
  /** Refuse fields the schema does not declare. Default false (extra fields are ignored). */
  strict?: boolean;
}

export interface BatchOptions extends CallOptions {
  /** `reject` (default): one invalid record rejects the batch with every issue listed. `report`: predict the valid records, return `{ error }` in the place of each invalid one. */
  invalid?: 'reject' | 'report';
}

/** A loaded model bundle, ready to predict. */
export interface Predictor {
  /** Name, version, inputs with units and ranges, output, metrics. */
  readonly info: BundleInfo;
  /** Where the model runs. */
  readonly runtime: 'worker' | 'inline';
  predict(record: unknown, options?: CallOptions): Promise<Prediction>;
  predictBatch(records: readonly unknown[], options?: BatchOptions & { invalid?: 'reject' }): Promise<Prediction[]>;
  predictBatch(records: readonly unknown[], options: BatchOptions & { invalid: 'report' }): Promise<Array<Prediction | RejectedRecord>>;
  /** Drift (PSI per input and for the output, out-of-range and unknown-category counts), live error and level scale. JSON-safe. */
  monitor(): Promise<MonitorSnapshot>;
  /** Starts drift counts and the live-error window afresh (the level scale stays). */
  resetMonitor(): Promise<void>;
  /** Adds what really happened, by record or by the date of a recent prediction; returns the rolling error. */
  reportActuals(actuals: readonly Actual[]): Promise<AccuracySnapshot>;
  /** Rescales the demand level so predictions match these actuals in total (bounded 0.25–4×); `null` restores the trained level. Returns the active scale, also in `info.levelScale`. */
  calibrate(actuals: readonly Actual[] | null): Promise<number>;
  /** Releases the model and the worker. Idempotent; later calls reject with DisposedError. */
  dispose(): Promise<void>;
}

function wantsWorker(option: boolean | undefined): boolean {
  const available = typeof Worker !== 'undefined' && typeof window !== 'undefined';
  return option !== false && available;
}

/** Loads a bundle (manifest URL or path, or `{ manifest, model }`) and returns a Predictor. */
export async function createPredictor(source: BundleSource, options: PredictorOptions = {}): Promise<Predictor> {
  const resolved = resolveSource(source);
  const load = {
    integrity: options.integrity,
    cache: options.cache,
    cacheName: options.cacheName,
    wasmUrl: options.wasmUrl,
    monitor: options.monitor,
    engine: options.engine,
  };
  const useWorker = wantsWorker(options.worker);
  // The inline engine is imported on demand so a worker-based page does not ship onnxruntime twice.
  const backend: Backend = useWorker
    ? await WorkerBackend.start(resolved, load, options.onProgress)
    : await (await import('./engine/core.js')).ModelEngine.load(resolved, { ...load, onProgress: options.onProgress });
  return new LoadedPredictor(backend, useWorker ? 'worker' : 'inline', options.timeoutMs);
}

class LoadedPredictor implements Predictor {
  info: BundleInfo;
  private backend: Backend | undefined;
  private readonly pending = new Set<(error: Error) => void>();

  constructor(
    backend: Backend,
    readonly runtime: 'worker' | 'inline',
    private readonly defaultTimeoutMs: number | undefined,
  ) {
    this.backend = backend;
    this.info = describeBundle(backend.manifest, backend.engine);
  }

  async predict(record: unknown, options: CallOptions = {}): Promise<Prediction> {
    const [result] = await this.call([record], options, 'reject');
    return result as Prediction;
  }

  predictBatch(records: readonly unknown[], options?: BatchOptions & { invalid?: 'reject' }): Promise<Prediction[]>;
  predictBatch(records: readonly unknown[], options: BatchOptions & { invalid: 'report' }): Promise<Array<Prediction | RejectedRecord>>;
  async predictBatch(records: readonly unknown[], options: BatchOptions = {}): Promise<Array<Prediction | RejectedRecord>> {
    if (!Array.isArray(records)) throw notAnArray('predictBatch');
    if (records.length > MAX_BATCH_RECORDS) throw batchTooLarge(records.length);
    if (records.length === 0) {
      if (!this.backend) throw new DisposedError();
      return [];
    }
    return this.call(records, options, options.invalid ?? 'reject');
  }

  monitor(): Promise<MonitorSnapshot> {
    return this.live(async (b) => b.monitorSnapshot());
  }

  resetMonitor(): Promise<void> {
    return this.live(async (b) => b.resetMonitor());
  }

  reportActuals(actuals: readonly Actual[]): Promise<AccuracySnapshot> {
    if (!Array.isArray(actuals)) return Promise.reject(notAnArray('reportActuals'));
    return this.live((b) => b.reportActuals(actuals));
  }

  async calibrate(actuals: readonly Actual[] | null): Promise<number> {
    if (actuals !== null && !Array.isArray(actuals)) throw notAnArray('calibrate');
    const levelScale = await this.live((b) => b.calibrate(actuals));
    this.info = { ...this.info, levelScale };
    return levelScale;
  }

  private live<T>(work: (backend: Backend) => Promise<T>): Promise<T> {
    return this.backend ? work(this.backend) : Promise.reject(new DisposedError());
  }

  async dispose(): Promise<void> {
    const backend = this.backend;
    if (!backend) return;
    this.backend = undefined;
    for (const cancel of this.pending) cancel(new DisposedError());
    this.pending.clear();
    await backend.dispose();
  }

  private call(
    records: readonly unknown[],
    options: CallOptions,
    invalid: RunOptions['invalid'],
  ): Promise<Array<Prediction | RejectedRecord>> {
    const backend = this.backend;
    if (!backend) return Promise.reject(new DisposedError());
    if (options.signal?.aborted) return Promise.reject(new AbortedError(options.signal.reason));
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => settle(new AbortedError(options.signal?.reason));
      const settle = (error: Error | undefined, value?: Array<Prediction | RejectedRecord>) => {
        if (!this.pending.delete(settle)) return;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(value!);
      };
      this.pending.add(settle);
      if (timeoutMs !== undefined) timer = setTimeout(() => settle(new TimeoutError(timeoutMs)), timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // A call that timed out, was aborted or disposed sends no more of its batch to the worker
      // and builds no result objects nobody will read.
      const abandoned = () => !this.pending.has(settle);
      backend
        .run(records, { invalid, strict: options.strict }, abandoned)
        .then((columns) =>
          abandoned() ? [] : toPredictions(columns, backend.manifest.output, this.runtime === 'worker' ? OBJECT_SLICE_MS : Infinity),
        )
        .then(
          (value) => settle(undefined, value),
          (error: Error) => settle(error),
        );
    });
  }
}

/**
 * Milliseconds of result-object building per main-thread task when the model runs in a worker.
 * Short, because a young-generation GC that copies the new objects lands inside the slice that
 * triggered it, and both must stay under the 50 ms of a long task.
 */
const OBJECT_SLICE_MS = 4;

/** Most records one predictBatch call accepts: the engine allocates per record before reading any, so an unbounded length (even a sparse `new Array(1e8)`) would end in out-of-memory instead of an error. */
const MAX_BATCH_RECORDS = 1_048_576;

function batchTooLarge(n: number): ValidationError {
  return new ValidationError([
    {
      index: -1,
      path: '',
      kind: 'record',
      message: `predictBatch accepts at most ${MAX_BATCH_RECORDS} records per call, got ${n}; split the batch`,
      received: n,
    },
  ]);
}

function notAnArray(method: string): ValidationError {
  return new ValidationError([{ index: -1, path: '', kind: 'record', message: `${method} expects an array`, received: 'not an array' }]);
}
