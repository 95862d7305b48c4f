import * as z from 'zod/mini';
import { SpecError } from '../errors.js';
import { epochDay, formatIsoDate, fromEpochDay, type CivilDate } from '../features/calendar.js';
import { epochMinuteOf, formatDateTime, fromEpochMinute, type CivilDateTime } from '../features/datetime.js';
import { compilePipeline } from '../features/pipeline.js';
import { featureStep, fitStep } from '../features/steps/index.js';
import { categorical, histogram, inputField, type InputField } from '../schema/manifest.js';
import { compileReader, type FieldValue, type Warning } from '../schema/record.js';
import type { ValidationIssue } from '../errors.js';
import { inputReference } from './reference.js';
import { BadRows, rowsOf, sourceName, type DataSource, type ReadOptions } from './rows.js';
import { outputSpec, parseSpec, type InputSpec, type PipelineSpec } from './spec.js';

/**
 * `fit`: spec + training data → the fitted pipeline (pipeline.json): every input's training
 * range, every step's parameters, the reference statistics drift monitoring compares with.
 */

export const PIPELINE_VERSION = 1;

export const fittedPipelineSchema = z.strictObject({
  pipelineVersion: z.literal(PIPELINE_VERSION),
  name: z.string(),
  version: z.string(),
  description: z.optional(z.string()),
  inputs: z.array(inputField).check(z.minLength(1)),
  features: z.array(featureStep).check(z.minLength(1)),
  /** Model input columns, in order: the matrix `features` writes and a model must take. */
  columns: z.array(z.string()),
  output: outputSpec,
  reference: z.strictObject({
    rows: z.int(),
    fields: z.record(z.string(), z.union([histogram, categorical])),
    monthsOf: z.optional(z.string()),
  }),
  training: z.strictObject({ dataset: z.string(), rows: z.int(), from: z.optional(z.string()), to: z.optional(z.string()) }),
});
/** A fitted pipeline: what `fit` writes and `features`, `train` and `bundle` read. */
export type FittedPipeline = z.infer<typeof fittedPipelineSchema>;

/** Validates a fitted pipeline (parsed pipeline.json). */
export function parsePipeline(value: unknown): FittedPipeline {
  const result = fittedPipelineSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(pipeline)'}: ${i.message}`);
  throw new SpecError(`Invalid fitted pipeline (make it with featurecast fit):\n  ${problems.join('\n  ')}`, { problems });
}

/** Most distinct values a category may learn from data when the spec does not list them. */
const MAX_LEARNED_VALUES = 1000;

/** Fits a spec (object or parsed JSON) on training data; bad rows fail the fit, every one named by line. */
export async function fitPipeline(spec: PipelineSpec | unknown, data: DataSource, options: ReadOptions = {}): Promise<FittedPipeline> {
  const parsed = parseSpec(spec);
  const learned = await learnCategories(parsed.inputs, data, options);
  const draft = parsed.inputs.map((input) => draftField(input, learned.get(input.name)));
  const { columns, rows } = await readColumns(draft, data, options);
  if (rows === 0) throw new SpecError(`No training rows in ${sourceName(data)}`);
  const valuesOf = (name: string) => entry(columns, name);
  const inputs = parsed.inputs.map((input, k) => fitField(input, draft[k]!, valuesOf(input.name)));
  const fitData = { values: valuesOf, field: (name: string) => field(inputs, name) };
  const features = parsed.features.map((step) => {
    field(inputs, step.input);
    return fitStep(step, fitData);
  });
  const pipeline = compilePipeline(inputs, features);
  checkOutput(parsed, inputs);
  const dated = inputs.find((f) => f.type === 'date' || f.type === 'datetime');
  const span = dated ? dateSpan(valuesOf(dated.name)) : undefined;
  return {
    pipelineVersion: PIPELINE_VERSION,
    name: parsed.name,
    version: parsed.version,
    ...(parsed.description === undefined ? {} : { description: parsed.description }),
    inputs,
    features,
    columns: [...pipeline.columns],
    output: parsed.output,
    reference: inputReference(inputs, valuesOf, rows, dated?.name),
    training: { dataset: sourceName(data), rows, ...span },
  };
}

function field(inputs: readonly InputField[], name: string): InputField {
  const found = inputs.find((f) => f.name === name);
  if (!found) throw new SpecError(`A feature step or the output names input "${name}", but the spec has no such input`);
  return found;
}

function checkOutput(spec: PipelineSpec, inputs: readonly InputField[]): void {
  const { output } = spec;
  if ((output.kind === 'classification') !== (output.labels !== undefined))
    throw new SpecError('output.labels goes with output.kind "classification", and a classification output needs them');
  if (output.kind === 'classification') {
    const extra = (['transform', 'level', 'bands', 'clampMin'] as const).filter(
      (k) => output[k] !== undefined && !(k === 'transform' && output.transform === 'identity'),
    );
    if (extra.length)
      throw new SpecError(
        `A classification output publishes a label and probabilities; it takes no ${extra.map((k) => `output.${k}`).join(', ')}`,
      );
    if (new Set(output.labels).size !== output.labels!.length) throw new SpecError('output.labels must be distinct');
  }
  const level = output.level;
  if (level && !['date', 'datetime'].includes(field(inputs, level.input).type)) {
    throw new SpecError(`output.level needs a date or datetime input; "${level.input}" is not one`);
  }
  const bands = spec.output.bands;
  if (bands && bands.labels.length !== bands.thresholds.length + 1)
    throw new SpecError('output.bands needs one more label than thresholds');
}

/** Values of categories the spec leaves open, from a first pass over the data. */
async function learnCategories(inputs: readonly InputSpec[], data: DataSource, options: ReadOptions): Promise<Map<string, string[]>> {
  const open = inputs.filter((i) => i.type === 'category' && i.values === undefined).map((i) => i.name);
  const seen = new Map(open.map((name) => [name, new Set<string>()]));
  if (!open.length) return new Map();
  for await (const { record } of rowsOf(data, [], { ...options, stage: 'categories' })) {
    for (const name of open) {
      const v = record[name];
      if (typeof v !== 'string' && typeof v !== 'number') continue;
      const set = entry(seen, name);
      set.add(String(v));
      if (set.size > MAX_LEARNED_VALUES) {
        throw new SpecError(
          `Input "${name}" has more than ${MAX_LEARNED_VALUES} distinct values: list its values in the spec, or make it a number`,
        );
      }
    }
  }
  return new Map(open.map((name) => [name, [...entry(seen, name)].sort()]));
}

/** The field as the reader sees it while fitting: no training range yet, so nothing is clipped. */
function draftField(input: InputSpec, learned: string[] | undefined): InputField {
  const missing = input.missing ?? (input.required === false && input.default !== undefined ? 'default' : undefined);
  const base = { name: input.name, required: (input.required ?? true) && missing === undefined, ...(missing ? { missing } : {}) };
  switch (input.type) {
    case 'number':
    case 'integer':
      return { ...input, ...base, range: { min: -Infinity, max: Infinity }, outOfRange: input.outOfRange ?? 'clip' };
    case 'date':
      return { ...input, ...base, range: { min: '1000-01-01', max: '9999-12-31' }, outOfRange: input.outOfRange ?? 'extrapolate' };
    case 'datetime':
      return {
        ...input,
        ...base,
        range: { min: '1000-01-01T00:00', max: '9999-12-31T23:59' },
        outOfRange: input.outOfRange ?? 'extrapolate',
      };
    case 'category': {
      const values = input.values ?? learned;
      if (!values?.length) throw new SpecError(`Input "${input.name}" has no values in the spec and none in the data`);
      return { ...input, ...base, values, unknown: input.unknown ?? 'reject' };
    }
    case 'boolean':
      return { ...input, ...base };
  }
}

/** The fitted field: the draft with the training range (unless the spec gave one). */
function fitField(input: InputSpec, draft: InputField, values: readonly FieldValue[]): InputField {
  if (draft.type === 'number' || draft.type === 'integer') {
    let min = Infinity;
    let max = -Infinity;
    for (const v of values as number[]) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min > max) throw new SpecError(`Input "${draft.name}" has no values in the training data`);
    return { ...draft, range: (input as { range?: { min: number; max: number } }).range ?? { min, max } };
  }
  if (draft.type === 'date' || draft.type === 'datetime') {
    const span = dateSpan(values);
    if (!span) throw new SpecError(`Input "${draft.name}" has no values in the training data`);
    return { ...draft, range: (input as { range?: { min: string; max: string } }).range ?? { min: span.from, max: span.to } } as InputField;
  }
  return draft;
}

/** First and last value of a date or date-time column, formatted as the input writes them. */
function dateSpan(values: readonly FieldValue[]): { from: string; to: string } | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  let timed = false;
  for (const v of values) {
    const d = v as CivilDateTime;
    timed = d.hour !== undefined;
    const key = timed ? epochMinuteOf(d) : epochDay(d as CivilDate);
    if (key < lo) lo = key;
    if (key > hi) hi = key;
  }
  if (lo > hi) return undefined;
  const show = (k: number) => (timed ? formatDateTime(fromEpochMinute(k, fromEpochDay)) : formatIsoDate(fromEpochDay(k)));
  return { from: show(lo), to: show(hi) };
}

/** Reads every row into per-input columns of validated values; throws on any bad row, listing them all. */
async function readColumns(fields: readonly InputField[], data: DataSource, options: ReadOptions) {
  const reader = compileReader(fields);
  const columns = new Map<string, FieldValue[]>(fields.map((f) => [f.name, []]));
  const slots = fields.map((f) => entry(columns, f.name));
  const bad = new BadRows();
  const values: FieldValue[] = new Array(fields.length);
  const issues: ValidationIssue[] = [];
  const warnings: Warning[] = [];
  let rows = 0;
  for await (const { record, line } of rowsOf(data, fields, { ...options, stage: options.stage ?? 'fit' })) {
    issues.length = 0;
    warnings.length = 0;
    if (!reader.read(record, rows, values, issues, warnings)) {
      bad.add(issues, line);
      continue;
    }
    for (let k = 0; k < slots.length; k++) slots[k]!.push(values[k]);
    rows++;
  }
  bad.throwIfAny(data, 'fit');
  return { columns, rows };
}

/** The entry for `key` in a map this module filled for every such key: a miss is a bug, and says so. */
function entry<V>(map: ReadonlyMap<string, V>, key: string): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`internal: no entry for "${key}"`);
  return value;
}
