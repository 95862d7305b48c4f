import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { SpecError } from '../errors.js';
import { modelSignature, type ModelSignature } from '../engine/engines/ort.js';
import { FORMAT_VERSION, manifestSchema, type Histogram, type Manifest } from '../schema/manifest.js';
import type { FittedPipeline } from './fit.js';
import { sampleRecords } from './check.js';
import { checkParity, type CheckRows, type ParityReport, type SourceModel } from './parity.js';
import { rowsOf, sourceName, type DataSource, type ReadOptions } from './rows.js';
import { evaluateXgboost, xgboostToOnnx } from './xgboost.js';

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
  /** The model's own outputs on the `check` rows, in order: a file or rows of one number (regression, or a binary classifier's probability of its second label) or one per label. */
  expect?: DataSource | ReadonlyArray<number | readonly number[]>;
}

/** A model file as `bundle` reads it: the ONNX bytes the bundle ships, and for a converted model what it was converted from. */
interface LoadedModel {
  model: Uint8Array;
  /** The source model's own outputs for rows of the pipeline's matrix, to prove the conversion exact. */
  source?: SourceModel;
}

/** Model files `bundle` reads, by extension: each becomes ONNX, the runtime's one model format. */
const MODEL_READERS: Record<string, (path: string, pipeline: FittedPipeline) => Promise<LoadedModel>> = {
  '.onnx': async (path) => ({ model: new Uint8Array(await readFile(path)) }),
  '.json': async (path, pipeline) => {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (cause) {
      throw new SpecError(
        `${path} is not readable JSON (an XGBoost model saved with save_model('model.json')): ${(cause as Error).message}`,
      );
    }
    const width = pipeline.columns.length;
    const converted = xgboostToOnnx(json, { width });
    const labels = pipeline.output.labels?.length ?? 0;
    if (labels !== converted.classes) {
      const what = (n: number, unit: string) => (n ? `classification with ${n} ${unit}` : 'regression');
      throw new SpecError(
        `${path}: the XGBoost objective ${converted.objective} is ${what(converted.classes, 'classes')}; the pipeline's output is ${what(labels, 'labels')}`,
      );
    }
    return {
      model: converted.model,
      source: { name: `XGBoost ${converted.objective}`, evaluate: (matrix, n) => evaluateXgboost(json, matrix, n, width) },
    };
  },
};

/** Bundles `model` (ONNX bytes, or the path of an .onnx file or an XGBoost model.json) with the pipeline; refuses a model that does not take the pipeline's matrix. */
export async function bundleModel(
  pipeline: FittedPipeline,
  model: Uint8Array | string,
  options: BundleOptions = {},
): Promise<Bundle & { parity?: ParityReport }> {
  const loaded = typeof model === 'string' ? await readModel(model, pipeline) : { model };
  const bytes = loaded.model;
  const io = await modelIo(bytes, pipeline, options.outputName);
  const manifest = manifestOf(pipeline, bytes, io, options);
  if (options.check === undefined && options.expect !== undefined)
    throw new SpecError('expect needs check rows: the predictions must be of known records');
  if (options.check === undefined && !loaded.source) return { manifest, model: bytes };
  // A converted model is always checked against its source: on the check rows, or on rows sampled from the training ranges.
  const rows = options.check === undefined ? sampledRows(manifest) : await readRows(options.check, manifest, options);
  const { parity, outputReference } = await checkParity({ manifest, model: bytes }, rows, options.expect, loaded.source);
  if (options.check === undefined) return { manifest, model: bytes, parity };
  // Without training data at hand, the check rows are the best sample of outputs drift can compare with.
  const reference = options.outputReference ? manifest.reference : { ...manifest.reference!, output: outputReference };
  return { manifest: { ...manifest, reference }, model: bytes, parity };
}

async function readModel(path: string, pipeline: FittedPipeline): Promise<LoadedModel> {
  const read = MODEL_READERS[extname(path).toLowerCase()];
  if (!read) throw new SpecError(`${path}: featurecast bundles ${Object.keys(MODEL_READERS).join(', ')} model files (ONNX, XGBoost JSON)`);
  return read(path, pipeline);
}

async function modelIo(bytes: Uint8Array, pipeline: FittedPipeline, outputName?: string) {
  const signature = await modelSignature(bytes);
  const width = pipeline.columns.length;
  const inputs = signature.inputs;
  if (inputs.length !== 1) {
    throw new SpecError(
      `The model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); featurecast feeds one float32 matrix [N, ${width}] of the columns ${pipeline.columns.join(', ')}`,
    );
  }
  const input = inputs[0]!;
  if (input.type !== undefined && input.type !== 'float32')
    throw new SpecError(`Model input "${input.name}" is ${input.type}; featurecast feeds float32 (export with a float input)`);
  const shape = input.shape ?? [];
  if (shape.length !== 2 || (typeof shape[1] === 'number' && shape[1] !== width)) {
    throw new SpecError(
      `Model input "${input.name}" has shape [${shape.join(', ')}], but the pipeline writes ${width} columns per row: [N, ${width}] of ${pipeline.columns.join(', ')}`,
    );
  }
  return { inputName: input.name, outputName: chooseOutput(signature.outputs, pipeline, outputName).name };
}

type Output = ModelSignature['outputs'][number];

/** The output featurecast reads: the float tensor `[N, 1]` of a regression, `[N, labels]` of a classifier. */
function chooseOutput(outputs: readonly Output[], pipeline: FittedPipeline, name?: string): Output {
  const labels = pipeline.output.labels;
  const columns = labels?.length ?? 1;
  const fits = (o: Output) =>
    o.type === 'float32' &&
    (o.shape === undefined || typeof o.shape.at(-1) !== 'number' || o.shape.at(-1) === columns || (columns === 1 && o.shape.length === 1));
  const list = outputs.map((o) => `${o.name} (${o.type ? `${o.type} [${(o.shape ?? []).join(', ')}]` : 'not a tensor'})`).join(', ');
  const chosen = name === undefined ? outputs.find(fits) : outputs.find((o) => o.name === name);
  if (name !== undefined && !chosen) throw new SpecError(`The model has no output "${name}" (it has ${list})`);
  if (chosen && fits(chosen)) return chosen;
  const map = outputs.find((o) => o.type === undefined);
  if (map && (!chosen || chosen === map)) {
    throw new SpecError(
      `Model output "${map.name}" is a sequence of maps (scikit-learn's ZipMap), which onnxruntime-web cannot return; export the probabilities as a tensor: skl2onnx \`to_onnx(model, X, options={"zipmap": False})\` (onnxmltools: \`zipmap=False\`)`,
    );
  }
  const want = labels
    ? `a float32 tensor [N, ${columns}] of the probabilities of ${labels.join(', ')}`
    : 'a float32 tensor [N, 1] (or [N])';
  throw new SpecError(`featurecast reads ${want}; the model's outputs are ${list}${name === undefined ? '' : ` and "${name}" is not one`}`);
}

function manifestOf(
  pipeline: FittedPipeline,
  model: Uint8Array,
  io: { inputName: string; outputName: string },
  options: BundleOptions,
): Manifest {
  const { output } = pipeline;
  const level = output.level;
  const byYear = options.levelByYear ?? level?.byYear;
  if (level && !byYear) throw new SpecError(`output.level on "${level.input}" needs byYear for a model trained outside featurecast`);
  const createdAt =
    options.createdAt ??
    (process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000).toISOString() : new Date().toISOString());
  const { from, to, dataset, rows } = pipeline.training;
  const manifest: Manifest = {
    formatVersion: FORMAT_VERSION,
    name: pipeline.name,
    version: pipeline.version,
    createdAt,
    ...(pipeline.description === undefined ? {} : { description: pipeline.description }),
    training: {
      dataset,
      rows,
      ...(from ? { from: from.slice(0, 10) } : {}),
      ...(to ? { to: to.slice(0, 10) } : {}),
      split: 'not stated',
      ...options.training,
    },
    inputs: pipeline.inputs,
    features: pipeline.features,
    model: {
      file: 'model.onnx',
      sha256: createHash('sha256').update(model).digest('hex'),
      bytes: model.byteLength,
      ...io,
      columns: pipeline.columns,
    },
    output: {
      name: output.name,
      ...(output.kind === 'classification' ? { kind: 'classification' as const, labels: output.labels! } : {}),
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
  if (!parsed.success)
    throw new SpecError(
      `The bundle's manifest would be invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return manifest;
}

async function readRows(source: DataSource, manifest: Manifest, options: ReadOptions): Promise<CheckRows> {
  const records: Record<string, unknown>[] = [];
  const lines: number[] = [];
  for await (const { record, line } of rowsOf(source, manifest.inputs, { ...options, stage: 'check' })) {
    records.push(record);
    lines.push(line);
  }
  return { records, lines, name: sourceName(source) };
}

/** Rows sampled over the training ranges (with their edges), when no check rows are given. */
function sampledRows(manifest: Manifest): CheckRows {
  const records = sampleRecords(manifest.inputs, SAMPLED_ROWS);
  return { records, lines: records.map((_, i) => i + 1), name: 'rows sampled from the training ranges' };
}

const SAMPLED_ROWS = 500;

/** Writes manifest.json and model.onnx into `dir` (created if needed). */
export async function writeBundle(dir: string, bundle: Bundle): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, bundle.manifest.model.file), bundle.model);
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(bundle.manifest, null, 2)}\n`);
}
