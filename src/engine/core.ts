import { BundleError, EngineError } from '../errors.js';
import { compilePipeline, type Pipeline } from '../features/pipeline.js';
import { compileOutput, type BatchColumns, type OutputStage } from '../outputs/postprocess.js';
import type { Manifest } from '../schema/manifest.js';
import type { AccuracySnapshot, Actual } from '../monitor/accuracy.js';
import { Monitor, type MatchedActuals, type MonitorSnapshot } from '../monitor/monitor.js';
import { openBundle, type LoadOptions } from './loading/bundle.js';
import { writesSettled } from './loading/cache.js';
import type { BundleSource } from './loading/source.js';
import { openSession, type EngineName, type Session, type SessionOptions } from './engines/session.js';
import { warmUp } from './engines/warm-up.js';

/**
 * One loaded bundle: pipeline + model session (tree engine or onnxruntime) + post-processing. The same class runs inline
 * (Node, `worker: false`) and inside the Web Worker, which is why both answer identically.
 */

export interface EngineOptions extends LoadOptions, SessionOptions {
  /** Count traffic for drift monitoring. Default true. */
  monitor?: boolean | undefined;
}

export interface RunOptions {
  /** `reject` (default) throws on any invalid record; `report` predicts the valid ones. */
  invalid?: 'reject' | 'report' | undefined;
  /** Refuse fields the schema does not declare. */
  strict?: boolean | undefined;
}

/** Rows per model run: bounds the wasm memory (which never shrinks) for huge batches. */
const CHUNK_ROWS = 16_384;

export class ModelEngine {
  readonly manifest: Manifest;
  private readonly pipeline: Pipeline;
  private readonly output: OutputStage;
  private readonly session: Session;
  private readonly monitor: Monitor;
  private stopWarmUp: (() => void) | undefined;

  private constructor(
    manifest: Manifest,
    pipeline: Pipeline,
    output: OutputStage,
    session: Session,
    private readonly observeTraffic: boolean,
  ) {
    this.manifest = manifest;
    this.pipeline = pipeline;
    this.output = output;
    this.session = session;
    this.monitor = new Monitor(manifest);
  }

  /** The engine that runs the model. */
  get engine(): EngineName {
    return this.session.engine;
  }

  static async load(source: BundleSource, options: EngineOptions = {}): Promise<ModelEngine> {
    const bundle = await openBundle(source, options);
    const { manifest } = bundle;
    const pipeline = compilePipeline(manifest.inputs, manifest.features);
    const expected = manifest.model.columns;
    if (expected.length !== pipeline.width || expected.some((c, i) => c !== pipeline.columns[i])) {
      throw new BundleError(
        'ERR_BUNDLE_MISMATCH',
        `Manifest model.columns [${expected.join(', ')}] differ from the columns the feature steps produce [${pipeline.columns.join(', ')}]`,
      );
    }
    const output = compileOutput(manifest.output, manifest.inputs);
    const bytes = manifest.model.bytes;
    const session = await openSession(
      bundle,
      { inputName: manifest.model.inputName, outputName: manifest.model.outputName, width: pipeline.width },
      options,
      (loaded, total) => options.onProgress?.({ stage: 'runtime', loaded, total }),
      () => options.onProgress?.({ stage: 'session', loaded: bytes, total: bytes }),
    );
    options.onProgress?.({ stage: 'ready', loaded: bytes, total: bytes });
    return new ModelEngine(manifest, pipeline, output, session, options.monitor !== false);
  }

  async run(records: readonly unknown[], options: RunOptions = {}): Promise<BatchColumns> {
    return this.predictColumns(records, options, this.observeTraffic);
  }

  /** `observe` false: predictions made for monitoring itself must not count as traffic. */
  private async predictColumns(records: readonly unknown[], options: RunOptions, observe: boolean): Promise<BatchColumns> {
    const n = records.length;
    const levels = new Float64Array(n);
    const { levelOf } = this.output;
    const monitor = this.monitor;
    const scale = monitor.levelScale;
    const drift = observe ? monitor.drift : undefined;
    const days = observe && monitor.dateSlot >= 0 ? new Int32Array(n) : null;
    const rememberFrom = monitor.rememberedFrom(n);
    const encoded = this.pipeline.encode(records, {
      invalid: options.invalid,
      strict: options.strict,
      onRow: (values, i) => {
        levels[i] = levelOf(values) * scale;
        drift?.observeRecord(values);
        if (days && i >= rememberFrom) days[i] = monitor.dayOf(values);
      },
    });
    const raw = await this.runModel(encoded.matrix, n);
    const values = new Float64Array(n);
    const bands = this.manifest.output.bands ? new Uint8Array(n) : null;
    this.output.finish(raw, levels, values, bands);
    const probabilities = this.output.width > 1 ? raw : null;
    const columns = { values, bands, warnings: encoded.warnings, issues: encoded.issues, rejected: encoded.rejected, probabilities };
    if (observe) monitor.afterBatch(columns, days, levels);
    return columns;
  }

  /** The model's output for `n` rows: as the session returns it when one run suffices (no copy), else joined from chunks. */
  private async runModel(matrix: Float32Array, n: number): Promise<Float32Array> {
    const outputs = this.output.width;
    const check = (out: Float32Array, rows: number) => {
      if (out.length !== rows * outputs)
        throw new EngineError(`The model returned ${out.length / rows} values per row; the manifest's output takes ${outputs}`);
      return out;
    };
    if (n <= CHUNK_ROWS) return check(await this.session.run(matrix, n), n);
    const raw = new Float32Array(n * outputs);
    const width = this.pipeline.width;
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, n - start);
      raw.set(check(await this.session.run(matrix.subarray(start * width, (start + rows) * width), rows), rows), start * outputs);
    }
    return raw;
  }

  monitorSnapshot(): MonitorSnapshot {
    return this.monitor.snapshot();
  }

  resetMonitor(): void {
    this.monitor.reset();
  }

  async reportActuals(actuals: readonly Actual[]): Promise<AccuracySnapshot> {
    return this.monitor.reportActuals(await this.matchActuals(actuals));
  }

  /** Re-estimates the level scale from actuals (`null` restores the trained level); returns the new scale. */
  async calibrate(actuals: readonly Actual[] | null): Promise<number> {
    if (actuals === null) return (this.monitor.levelScale = 1);
    return this.monitor.calibrate(await this.matchActuals(actuals));
  }

  /** The first half of reportActuals and calibrate; the worker backend matches actuals a slice at a time, then applies them all at once. */
  matchActuals(actuals: readonly Actual[]): Promise<MatchedActuals> {
    return this.monitor.match(actuals, this.predictQuietly);
  }

  reportMatched(matched: MatchedActuals): AccuracySnapshot {
    return this.monitor.reportActuals(matched);
  }

  calibrateMatched(matched: MatchedActuals): number {
    return this.monitor.calibrate(matched);
  }

  setLevelScale(scale: number): void {
    this.monitor.levelScale = scale;
  }

  /** Predictions for actuals, not counted as traffic; invalid records come back as issues. */
  private readonly predictQuietly = (records: unknown[]): Promise<BatchColumns> =>
    this.predictColumns(records, { invalid: 'report' }, false);

  /** Warms the model up in the background (see warm-up.ts); for the worker, where round trips are timed by a waiting page. */
  warmUp(): void {
    this.stopWarmUp ??= warmUp(this.session, this.pipeline.width);
  }

  /** Also waits for the cache writes of the load: a worker is terminated right after. */
  async dispose(): Promise<void> {
    this.stopWarmUp?.();
    await this.session.release();
    await writesSettled();
  }
}
