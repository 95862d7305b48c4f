import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BundleError } from '../errors.js';
import { createPredictor } from '../predictor.js';
import { epochDayOfIso, formatIsoDate, fromEpochDay } from '../features/calendar.js';
import { epochMinuteOf, formatDateTime, fromEpochMinute, parseDateTime, zoneConverter } from '../features/datetime.js';
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
    throw new BundleError(
      'ERR_BUNDLE_INVALID',
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      { url: path },
    );
  }
  const manifest = parsed.data;
  passed.push('manifest matches the bundle schema');
  const modelPath = join(dirname(path), manifest.model.file);
  const model = new Uint8Array(
    await readFile(modelPath).catch((cause: Error) => {
      throw new BundleError('ERR_BUNDLE_FETCH', `cannot read the model ${modelPath}: ${cause.message}`, { url: modelPath });
    }),
  );
  const sha256 = createHash('sha256').update(model).digest('hex');
  if (sha256 !== manifest.model.sha256 || model.byteLength !== manifest.model.bytes) {
    throw new BundleError(
      'ERR_BUNDLE_INTEGRITY',
      `${manifest.model.file} has sha256 ${sha256} (${model.byteLength} bytes); the manifest pins ${manifest.model.sha256} (${manifest.model.bytes} bytes)`,
    );
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
      throw new BundleError(
        'ERR_BUNDLE_INVALID',
        `a sample record predicts ${String(value)} for ${manifest.output.name}, not a finite number`,
      );
    }
    passed.push(`a sample record predicts ${manifest.output.name} = ${value}`);
    return { name: manifest.name, version: manifest.version, passed, sample: { record, prediction } };
  } finally {
    await predictor.dispose();
  }
}

/** A record inside the training ranges: each number at its range's middle, dates at the start, the first category. */
export function sampleRecord(manifest: Pick<Manifest, 'inputs'>): Record<string, unknown> {
  return recordAt(manifest.inputs, 0.5, 0);
}

/**
 * `n` records spread over the training ranges: the first at every lower end, the second at every
 * upper end, the rest at seeded random places; categories in turn; every seventh leaves out the
 * inputs a model may see as missing.
 */
export function sampleRecords(inputs: readonly InputField[], n: number, seed = 1): Record<string, unknown>[] {
  let state = seed >>> 0;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, (_, i) => {
    const record = recordAt(inputs, i === 0 ? 0 : i === 1 ? 1 : next(), i);
    if (i % 7 === 6) for (const f of inputs) if (f.missing === 'model') delete record[f.name];
    return record;
  });
}

/** A record with every range at share `t` of its way from min to max, and the `k`-th category and boolean in turn. */
function recordAt(inputs: readonly InputField[], t: number, k: number): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const field of inputs) {
    const value = valueAt(field, t, k);
    if (value !== undefined) record[field.name] = value;
  }
  return record;
}

function valueAt(field: InputField, t: number, k: number): unknown {
  switch (field.type) {
    case 'number':
      return field.range.min + t * (field.range.max - field.range.min);
    case 'integer':
      return Math.round(field.range.min + t * (field.range.max - field.range.min));
    case 'date': {
      const [a, b] = [epochDayOfIso(field.range.min), epochDayOfIso(field.range.max)];
      return formatIsoDate(fromEpochDay(Math.round(a + t * (b - a))));
    }
    case 'datetime': {
      const toZone = zoneConverter(field.timeZone);
      const [a, b] = [field.range.min, field.range.max].map((x) => epochMinuteOf(parseDateTime(x, toZone)!)) as [number, number];
      return formatDateTime(fromEpochMinute(Math.round(a + t * (b - a)), fromEpochDay));
    }
    case 'category':
      return k === 0 ? (field.default ?? field.values[0]) : field.values[k % field.values.length];
    case 'boolean':
      return field.required ? k % 2 === 1 : undefined;
  }
}
