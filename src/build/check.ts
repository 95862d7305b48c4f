import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BundleError } from '../errors.js';
import { createPredictor } from '../predictor.js';
import { manifestSchema, type InputField, type Manifest } from '../schema/manifest.js';
import type { Prediction } from '../outputs/postprocess.js';

/** `check`: is a bundle folder (or manifest path) sound? Schema, sha256, the model loads, its columns match, one row predicts. */

export interface CheckReport {
  name: string;
  version: string;
  /** What was checked, in order, each passed. */
  passed: string[];
  /** The sample record predicted, and its answer. */
  sample: { record: Record<string, unknown>; prediction: Prediction };
}

/** Checks the bundle at `location` (a folder holding manifest.json, or the manifest's path); throws a BundleError naming the first failure. */
export async function checkBundle(location: string): Promise<CheckReport> {
  const path = (await stat(location)).isDirectory() ? join(location, 'manifest.json') : location;
  const passed: string[] = [];
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new BundleError('ERR_BUNDLE_INVALID', `${path} is not readable JSON: ${(cause as Error).message}`, { url: path });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new BundleError('ERR_BUNDLE_INVALID', `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { url: path });
  }
  const manifest = parsed.data;
  passed.push('manifest matches the bundle schema');
  const modelPath = join(dirname(path), manifest.model.file);
  const model = new Uint8Array(await readFile(modelPath).catch((cause: Error) => {
    throw new BundleError('ERR_BUNDLE_FETCH', `cannot read the model ${modelPath}: ${cause.message}`, { url: modelPath });
  }));
  const sha256 = createHash('sha256').update(model).digest('hex');
  if (sha256 !== manifest.model.sha256 || model.byteLength !== manifest.model.bytes) {
    throw new BundleError('ERR_BUNDLE_INTEGRITY', `${manifest.model.file} has sha256 ${sha256} (${model.byteLength} bytes); the manifest pins ${manifest.model.sha256} (${manifest.model.bytes} bytes)`);
  }
  passed.push(`${manifest.model.file} matches its sha256 and size`);
  // Loading compiles the pipeline against model.columns and checks the model's input and output names and width.
  const predictor = await createPredictor({ manifest, model }, { worker: false, cache: false, monitor: false });
  try {
    passed.push(`the model loads; it takes the ${manifest.model.columns.length} columns the feature steps write`);
    const record = sampleRecord(manifest);
    const prediction = await predictor.predict(record);
    const value = prediction[manifest.output.name];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new BundleError('ERR_BUNDLE_INVALID', `a sample record predicts ${String(value)} for ${manifest.output.name}, not a finite number`);
    }
    passed.push(`a sample record predicts ${manifest.output.name} = ${value}`);
    return { name: manifest.name, version: manifest.version, passed, sample: { record, prediction } };
  } finally {
    await predictor.dispose();
  }
}

/** A record inside the training ranges: each number at its range's middle, dates at the start, the first category. */
export function sampleRecord(manifest: Pick<Manifest, 'inputs'>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const field of manifest.inputs) {
    const value = sampleValue(field);
    if (value !== undefined) record[field.name] = value;
  }
  return record;
}

function sampleValue(field: InputField): unknown {
  switch (field.type) {
    case 'number':
      return (field.range.min + field.range.max) / 2;
    case 'integer':
      return Math.round((field.range.min + field.range.max) / 2);
    case 'date':
    case 'datetime':
      return field.range.min;
    case 'category':
      return field.default ?? field.values[0];
    case 'boolean':
      return field.required ? false : undefined;
  }
}
