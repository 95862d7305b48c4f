import * as z from 'zod/mini';
import { BundleError } from '../../errors.js';
import { inputName, stepError, type CompiledStep, type FitData, type StepContext } from './step.js';

/**
 * `categoryCode`: one column holding a code per category value, 1, 2, … in the input's declared
 * order, so an ordinal category (weather severity) stays ordinal for trees. Missing → NaN.
 */

export const categoryCodeSpec = z.strictObject({ step: z.literal('categoryCode'), input: inputName });
export const categoryCodeStep = z.strictObject({
  step: z.literal('categoryCode'),
  input: inputName,
  /** Fitted vocabulary: value → code. */
  codes: z.record(z.string(), z.number()),
});
export type CategoryCodeStep = z.infer<typeof categoryCodeStep>;

export function compileCategoryCode(step: CategoryCodeStep, ctx: StepContext): CompiledStep {
  const k = ctx.slot(step.input, ['category']);
  const field = ctx.field(step.input);
  const missing = field.type === 'category' ? field.values.filter((v) => !(v in step.codes)) : [];
  if (missing.length)
    throw new BundleError('ERR_BUNDLE_INVALID', `Step categoryCode for "${step.input}" has no code for ${missing.join(', ')}`);
  const codes = new Map(Object.entries(step.codes));
  return {
    columns: [step.input],
    write(values, row, at) {
      const v = values[k];
      row[at] = typeof v === 'string' ? codes.get(v)! : NaN;
    },
  };
}

export function fitCategoryCode(step: z.infer<typeof categoryCodeSpec>, data: FitData): CategoryCodeStep {
  const field = data.field(step.input);
  if (field.type !== 'category') throw stepError(step, `needs a category input, "${step.input}" is ${field.type}`);
  return { ...step, codes: Object.fromEntries(field.values.map((v, i) => [v, i + 1])) };
}
