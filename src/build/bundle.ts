import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DataError, SpecError, type ValidationIssue } from '../errors.js';
import { createSession, modelSignature } from '../engine/ort.js';
import { createPredictor } from '../predictor.js';
import { FORMAT_VERSION, manifestSchema, type Histogram, type Manifest } from '../schema/manifest.js';
import { compileFitted } from './features.js';
import type { FittedPipeline } from './fit.js';
import { rowsOf, sourceName, type DataSource, type ReadOptions } from './rows.js';

/**
 * `bundle`: a fitted pipeline and an ONNX model taking its float32 matrix `[N, width]` →
 * manifest.json + model.onnx, with the model pinned by sha256. With `check` rows it runs the
 * finished bundle through the library; with `expect` it proves the model's outputs there equal
 * the trainer's own predictions (no skew between training and serving).
 */

/** A bundle in memory: what `createPredictor({ manifest, model })` takes and `writeBundle` writes. */
export interface Bundle {
  manifest: Manifest;
  model: Uint8Array;
}

export interface BundleOptions extends ReadOptions {
  /** ISO time stamped into the manifest; default now (set it, or SOURCE_DATE_EPOCH, for reproducible bundles). */
  createdAt?: string;
  /** Provenance beyond what the pipeline records (how the data was split, the trainer's parameters). */
  training?: Partial<Manifest['training']>;
  metrics?: Manifest['metrics'];
  /** Extra files shipped beside the manifest, by role (written by the caller). */
  extras?: Record<string, string>;
  /** Which model output is the prediction; default the first. */
  outputName?: string;
  /** Level-free model outputs on the training rows, for output drift (train fills it). */
  outputReference?: Histogram;
  /** The fitted level per year, when training fitted one. */
  levelByYear?: Record<string, number>;
  /** Rows to run through the finished bundle. */
  check?: DataSource;
  /** The model's own outputs on the `check` rows, in order (numbers, or records with one numeric field). */
  expect?: DataSource | readonly number[];
}

/** Relative difference allowed between the bundle and the trainer: float32 sums over many trees. */
export const PARITY_TOLERANCE = 1e-5;

/** What `bundle` checked, when asked to. */
export interface ParityReport {
  rows: number;
  /** Largest |library − expected| / max(1, |expected|) over the rows; undefined without `expect`. */
  worstRelativeDiff: number | undefined;
}

/** Model files `bundle` reads, by extension: each becomes the ONNX bytes the bundle ships (the runtime keeps one model format). */
const MODEL_READERS: Record<string, (path: string) => Promise<Uint8Array>> = {
  '.onnx': async (path) => new Uint8Array(await readFile(path)),
};

/** Bundles `model` (ONNX bytes, or a model file's path) with the pipeline; refuses a model that does not take the pipeline's matrix. */
export async function bundleModel(pipeline: FittedPipeline, model: Uint8Array | string, options: BundleOptions = {}): Promise<Bundle & { parity?: ParityReport }> {
  const bytes = typeof model === 'string' ? await readModel(model) : model;
  const io = await modelIo(bytes, pipeline, options.outputName);
  const manifest = manifestOf(pipeline, bytes, io, options);
  const bundle = { manifest, model: bytes };
  if (options.check === undefined) {
    if (options.expect !== undefined) throw new SpecError('expect needs check rows: the predictions must be of known records');
    return bundle;
  }
  return { ...bundle, parity: await checkParity(bundle, options.check, options.expect, options) };
}

async function readModel(path: string): Promise<Uint8Array> {
  const read = MODEL_READERS[extname(path).toLowerCase()];
  if (!read) throw new SpecError(`${path}: featurecast bundles ${Object.keys(MODEL_READERS).join(', ')} model files`);
  return read(path);
}

async function modelIo(bytes: Uint8Array, pipeline: FittedPipeline, outputName?: string) {
  const signature = await modelSignature(bytes);
  const width = pipeline.columns.length;
  const inputs = signature.inputs;
  if (inputs.length !== 1) {
    throw new SpecError(`The model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); featurecast feeds one float32 matrix [N, ${width}] of the columns ${pipeline.columns.join(', ')}`);
  }
  const input = inputs[0]!;
  if (input.type !== undefined && input.type !== 'float32') throw new SpecError(`Model input "${input.name}" is ${input.type}; featurecast feeds float32 (export with a float input)`);
  const shape = input.shape ?? [];
  if (shape.length !== 2 || (typeof shape[1] === 'number' && shape[1] !== width)) {
    throw new SpecError(
      `Model input "${input.name}" has shape [${shape.join(', ')}], but the pipeline writes ${width} columns per row: [N, ${width}] of ${pipeline.columns.join(', ')}`,
    );
  }
  const output = outputName === undefined ? signature.outputs[0] : signature.outputs.find((o) => o.name === outputName);
  if (!output) throw new SpecError(`The model has no output "${outputName}" (it has ${signature.outputs.map((o) => o.name).join(', ')})`);
  return { inputName: input.name, outputName: output.name };
}

function manifestOf(pipeline: FittedPipeline, model: Uint8Array, io: { inputName: string; outputName: string }, options: BundleOptions): Manifest {
  const { output } = pipeline;
  const level = output.level;
  const byYear = options.levelByYear ?? level?.byYear;
  if (level && !byYear) throw new SpecError(`output.level on "${level.input}" needs byYear for a model trained outside featurecast`);
  const createdAt = options.createdAt ?? (process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000).toISOString() : new Date().toISOString());
  const { from, to, dataset, rows } = pipeline.training;
  const manifest: Manifest = {
    formatVersion: FORMAT_VERSION,
    name: pipeline.name,
    version: pipeline.version,
    createdAt,
    ...(pipeline.description === undefined ? {} : { description: pipeline.description }),
    training: { dataset, rows, ...(from ? { from: from.slice(0, 10) } : {}), ...(to ? { to: to.slice(0, 10) } : {}), split: 'not stated', ...options.training },
    inputs: pipeline.inputs,
    features: pipeline.features,
    model: { file: 'model.onnx', sha256: createHash('sha256').update(model).digest('hex'), bytes: model.byteLength, ...io, columns: pipeline.columns },
    output: {
      name: output.name,
      ...(output.unit === undefined ? {} : { unit: output.unit }),
      inverse: output.transform === 'log' ? 'exp' : output.transform === 'log1p' ? 'expm1' : 'identity',
      ...(level && byYear ? { level: { input: level.input, byYear } } : {}),
      ...(output.clampMin === undefined ? {} : { clampMin: output.clampMin }),
      ...(output.bands ? { bands: output.bands } : {}),
    },
    ...(options.metrics ? { metrics: options.metrics } : {}),
    reference: { ...pipeline.reference, ...(options.outputReference ? { output: options.outputReference } : {}) },
    ...(options.extras ? { extras: options.extras } : {}),
  };
  const parsed = manifestSchema.safeParse(manifest);
  if (!parsed.success) throw new SpecError(`The bundle's manifest would be invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return manifest;
}

/** Runs the finished bundle through the library on `check` rows and compares its raw model outputs with `expect`. */
async function checkParity(bundle: Bundle, check: DataSource, expect: BundleOptions['expect'], options: ReadOptions): Promise<ParityReport> {
  const records: Record<string, unknown>[] = [];
  const lines: number[] = [];
  for await (const { record, line } of rowsOf(check, bundle.manifest.inputs, { ...options, stage: 'check' })) {
    records.push(record);
    lines.push(line);
  }
  // The published outputs, exactly as an app gets them: any record the library refuses fails the bundle.
  const predictor = await createPredictor(bundle, { worker: false, cache: false, monitor: false });
  try {
    await predictor.predictBatch(records);
  } catch (error) {
    const issues = (error as { issues?: ValidationIssue[] }).issues;
    if (!issues) throw error;
    throw new DataError(
      `The bundle refuses check rows of ${sourceName(check)}: ${issues.slice(0, 5).map((i) => `line ${lines[i.index]}, field "${i.path}": ${i.message}`).join('; ')}`,
      issues.map((i) => ({ ...i, index: lines[i.index] ?? i.index })),
    );
  } finally {
    await predictor.dispose();
  }
  if (expect === undefined) return { rows: records.length, worstRelativeDiff: undefined };
  const expected = await expectedValues(expect);
  if (expected.length !== records.length) {
    throw new DataError(`expect has ${expected.length} predictions for ${records.length} check rows`, []);
  }
  const raw = await rawOutputs(bundle, records);
  let worst = 0;
  const off: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const diff = Math.abs(raw[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (!(diff <= PARITY_TOLERANCE)) off.push(`line ${lines[i]}: library ${raw[i]}, expected ${expected[i]}`);
    if (diff > worst || Number.isNaN(diff)) worst = Number.isNaN(diff) ? Infinity : diff;
  }
  if (off.length) {
    throw new DataError(`${off.length} of ${raw.length} check rows differ from the expected predictions beyond ${PARITY_TOLERANCE} (relative):\n  ${off.slice(0, 20).join('\n  ')}`, [], { worstRelativeDiff: worst });
  }
  return { rows: raw.length, worstRelativeDiff: worst };
}

/** The model's own output (before any inverse transform, level or clamp) for records, through the library's pipeline. */
async function rawOutputs(bundle: Bundle, records: readonly unknown[]): Promise<Float32Array> {
  const { manifest } = bundle;
  const pipeline = compileFitted({ inputs: manifest.inputs, features: manifest.features } as FittedPipeline);
  const { matrix } = pipeline.encode(records);
  const session = await createSession(bundle.model, { inputName: manifest.model.inputName, outputName: manifest.model.outputName, width: pipeline.width });
  try {
    return Float32Array.from(await session.run(matrix, records.length));
  } finally {
    await session.release();
  }
}

async function expectedValues(expect: NonNullable<BundleOptions['expect']>): Promise<number[]> {
  if (typeof expect !== 'string' && typeof expect[0] !== 'object') return [...(expect as readonly number[])];
  const values: number[] = [];
  for await (const { record, line } of rowsOf(expect as DataSource, [])) {
    const cells = Object.values(record);
    const value = cells.length === 1 ? Number(cells[0]) : NaN;
    if (cells.length !== 1 || !Number.isFinite(value)) throw new DataError(`expect, line ${line}: expected one number per row, got ${JSON.stringify(record)}`, []);
    values.push(value);
  }
  return values;
}

/** Writes manifest.json and model.onnx into `dir` (created if needed). */
export async function writeBundle(dir: string, bundle: Bundle): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, bundle.manifest.model.file), bundle.model);
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(bundle.manifest, null, 2)}\n`);
}
