import type { FeatureStep, InputField } from '../schema/manifest.js';
import { epochDay, formatIsoDate, fromEpochDay, parseIsoDate } from './calendar.js';

/**
 * Fitting: the training-time half of the pipeline. It learns the parameters (ranges, scales,
 * vocabularies) that the manifest then carries to prediction time unchanged.
 */

type Draft<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** An input field before fitting: numbers and dates get their `range` from the data. */
export type DraftField = Draft<Extract<InputField, { type: 'number' | 'integer' | 'date' }>, 'range'> | Extract<InputField, { type: 'category' | 'boolean' }>;

/** A step before fitting: `scale` learns center/scale, `categoryCode` learns its codes. */
export type DraftStep =
  | Exclude<FeatureStep, { step: 'scale' | 'categoryCode' }>
  | Draft<Extract<FeatureStep, { step: 'scale' }>, 'center' | 'scale'>
  | Draft<Extract<FeatureStep, { step: 'categoryCode' }>, 'codes'>;

export interface FittedPipeline {
  inputs: InputField[];
  features: FeatureStep[];
}

export function fitPipeline(fields: readonly DraftField[], steps: readonly DraftStep[], records: readonly Record<string, unknown>[]): FittedPipeline {
  const inputs = fields.map((field) => fitField(field, records));
  const features = steps.map((step) => fitStep(step, inputs, records));
  return { inputs, features };
}

function column(records: readonly Record<string, unknown>[], name: string): unknown[] {
  return records.map((r) => r[name]).filter((v) => v !== undefined && v !== null);
}

function fitField(field: DraftField, records: readonly Record<string, unknown>[]): InputField {
  if (field.type === 'category' || field.type === 'boolean') return field;
  const values = column(records, field.name);
  if (!values.length) throw new Error(`Cannot fit input "${field.name}": no values in the training records`);
  if (field.type === 'date') {
    const days = values.map((v) => {
      const date = parseIsoDate(String(v));
      if (!date) throw new Error(`Cannot fit input "${field.name}": "${String(v)}" is not a date`);
      return epochDay(date);
    });
    return { ...field, range: { min: formatIsoDate(fromEpochDay(Math.min(...days))), max: formatIsoDate(fromEpochDay(Math.max(...days))) } };
  }
  const numbers = values.map(Number);
  return { ...field, range: { min: Math.min(...numbers), max: Math.max(...numbers) } };
}

function fitStep(step: DraftStep, inputs: readonly InputField[], records: readonly Record<string, unknown>[]): FeatureStep {
  if (step.step === 'scale') {
    const values = column(records, step.input).map(Number);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    return { ...step, center: round(mean), scale: round(sd) || 1 };
  }
  if (step.step === 'categoryCode') {
    const field = inputs.find((f) => f.name === step.input);
    if (field?.type !== 'category') throw new Error(`categoryCode needs a category input, "${step.input}" is not one`);
    // Codes follow the declared order of values, so an ordinal category (weather severity) stays ordinal for the trees.
    return { ...step, codes: Object.fromEntries(field.values.map((v, i) => [v, i + 1])) };
  }
  return step;
}

/** Fitted parameters are stored rounded so the manifest stays readable and byte-stable. */
function round(x: number): number {
  return Number(x.toPrecision(8));
}
