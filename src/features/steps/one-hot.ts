import * as z from 'zod/mini';
import { inputName, stepError, type CompiledStep, type FitData, type StepContext } from './step.js';

/**
 * `oneHot`: one 0/1 column per category value (`weather=rain`). Values rarer in training than
 * `minFrequency` (a count, or a share when below 1) share one `=other` column. A missing value
 * (input `missing: "model"`) is all zeros.
 */

const minFrequency = z.optional(z.number().check(z.positive()));
export const oneHotSpec = z.strictObject({ step: z.literal('oneHot'), input: inputName, minFrequency });
export const oneHotStep = z.strictObject({
  step: z.literal('oneHot'),
  input: inputName,
  minFrequency,
  /** Values with a column of their own, in column order. */
  values: z.array(z.string()),
  /** Whether an `=other` column follows for the remaining values. */
  other: z.boolean(),
});
export type OneHotStep = z.infer<typeof oneHotStep>;

export function compileOneHot(step: OneHotStep, ctx: StepContext): CompiledStep {
  const k = ctx.slot(step.input, ['category']);
  const column = new Map(step.values.map((v, i) => [v, i]));
  const other = step.other ? step.values.length : -1;
  const width = step.values.length + (step.other ? 1 : 0);
  return {
    columns: [...step.values.map((v) => `${step.input}=${v}`), ...(step.other ? [`${step.input}=other`] : [])],
    write(values, row, at) {
      for (let c = 0; c < width; c++) row[at + c] = 0;
      const v = values[k];
      if (typeof v !== 'string') return;
      const c = column.get(v) ?? other;
      if (c >= 0) row[at + c] = 1;
    },
  };
}

export function fitOneHot(step: z.infer<typeof oneHotSpec>, data: FitData): OneHotStep {
  const field = data.field(step.input);
  if (field.type !== 'category') throw stepError(step, `needs a category input, "${step.input}" is ${field.type}`);
  const counts = new Map<string, number>(field.values.map((v) => [v, 0]));
  const values = data.values(step.input);
  for (const v of values) if (typeof v === 'string') counts.set(v, (counts.get(v) ?? 0) + 1);
  const min = step.minFrequency === undefined ? 0 : step.minFrequency < 1 ? step.minFrequency * values.length : step.minFrequency;
  const kept = field.values.filter((v) => counts.get(v)! >= min);
  return { ...step, values: kept, other: kept.length < field.values.length };
}
