import { BundleError } from '../errors.js';
import { compilePipeline, type Pipeline } from '../features/pipeline.js';
import { compileOutput, type BatchColumns, type OutputStage } from '../outputs/postprocess.js';
import type { Manifest } from '../schema/manifest.js';
import { loadBundle, type BundleSource, type LoadOptions } from './bundle.js';
import { createSession, type Session, type WasmOptions } from './ort.js';

/**
 * One loaded bundle: pipeline + ONNX session + post-processing. The same class runs inline
 * (Node, `worker: false`) and inside the Web Worker, which is why both answer identically.
 */

export interface RunOptions {
  /** `reject` (default) throws on any invalid record; `report` predicts the valid ones. */
  invalid?: 'reject' | 'report' | undefined;
  /** Refuse fields the schema does not declare. */
  strict?: boolean | undefined;
}

/** Rows per onnxruntime run: bounds the wasm heap (which never shrinks) for huge batches. */
const CHUNK_ROWS = 16_384;

export class ModelEngine {
  readonly manifest: Manifest;
  private readonly pipeline: Pipeline;
  private readonly output: OutputStage;
  private readonly session: Session;

  private constructor(manifest: Manifest, pipeline: Pipeline, output: OutputStage, session: Session) {
    this.manifest = manifest;
    this.pipeline = pipeline;
    this.output = output;
    this.session = session;
  }

  static async load(source: BundleSource, options: LoadOptions & WasmOptions = {}): Promise<ModelEngine> {
    const { manifest, model } = await loadBundle(source, options);
    const pipeline = compilePipeline(manifest.inputs, manifest.features);
    const expected = manifest.model.columns;
    if (expected.length !== pipeline.width || expected.some((c, i) => c !== pipeline.columns[i])) {
      throw new BundleError(
        'ERR_BUNDLE_MISMATCH',
        `Manifest model.columns [${expected.join(', ')}] differ from the columns the feature steps produce [${pipeline.columns.join(', ')}]`,
      );
    }
    const output = compileOutput(manifest.output, manifest.inputs);
    options.onProgress?.({ stage: 'session', loaded: model.byteLength, total: model.byteLength });
    const session = await createSession(
      model,
      { inputName: manifest.model.inputName, outputName: manifest.model.outputName, width: pipeline.width },
      options,
    );
    options.onProgress?.({ stage: 'ready', loaded: model.byteLength, total: model.byteLength });
    return new ModelEngine(manifest, pipeline, output, session);
  }

  async run(records: readonly unknown[], options: RunOptions = {}): Promise<BatchColumns> {
    const n = records.length;
    const levels = new Float64Array(n);
    const { levelOf } = this.output;
    const encoded = this.pipeline.encode(records, {
      invalid: options.invalid,
      strict: options.strict,
      onRow: (values, i) => {
        levels[i] = levelOf(values);
      },
    });
    const raw = new Float32Array(n);
    const width = this.pipeline.width;
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, n - start);
      const chunk = encoded.matrix.subarray(start * width, (start + rows) * width);
      raw.set(await this.session.run(chunk, rows), start);
    }
    const values = new Float64Array(n);
    const bands = this.manifest.output.bands ? new Uint8Array(n) : null;
    this.output.finish(raw, levels, values, bands);
    return { values, bands, warnings: encoded.warnings, issues: encoded.issues, rejected: encoded.rejected };
  }

  dispose(): Promise<void> {
    return this.session.release();
  }
}
