import * as z from 'zod/mini';
import { SpecError } from '../../errors.js';
import type { InputField } from '../../schema/manifest.js';
import type { FieldValue } from '../../schema/record.js';

/** What every step file provides: the compiled, per-record half of a step. */
export interface CompiledStep {
  /** Model column names this step writes, in order. */
  readonly columns: readonly string[];
  /** Writes `columns.length` values at `row[at…]`. `values` holds one validated value per input field. */
  write(values: readonly FieldValue[], row: Float32Array, at: number): void;
}

/** How a step finds its input among the bundle's fields. */
export interface StepContext {
  /**
   * The slot of input `name` in the validated values, checked to be one of `types`.
   * `optional`: the input may be absent from a record (its slot then holds undefined).
   */
  slot(name: string, types: readonly InputField['type'][], optional?: boolean): number;
  field(name: string): InputField;
}

/** The training data a step is fitted on: each input's validated values, one per training row. */
export interface FitData {
  values(input: string): readonly FieldValue[];
  field(input: string): InputField;
}

export const inputName = z.string().check(z.minLength(1));

/** Missing numeric values (input `missing: "model"`) are NaN; a step passes NaN on so the model routes it. */
export const isMissing = (v: FieldValue): boolean => typeof v === 'number' && Number.isNaN(v);

/** The numbers of a numeric input's training values, NaN (missing) left out. */
export function numbersOf(data: FitData, input: string): number[] {
  return data.values(input).filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
}

/** Fitted parameters are stored rounded so the manifest stays readable and byte-stable. */
export function round(x: number): number {
  return Number(x.toPrecision(8));
}

/** An error in a spec or manifest step, naming the step and its input. */
export function stepError(step: { step: string; input: string }, message: string): SpecError {
  return new SpecError(`Feature step "${step.step}" on "${step.input}": ${message}`, { step: step.step, input: step.input });
}
