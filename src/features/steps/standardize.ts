import * as z from 'zod/mini';
import { inputName, numbersOf, round, stepError, type CompiledStep, type FitData, type StepContext } from './step.js';

/**
 * `standardize`: (x − mean) / sd, fitted on the training values. `scale` is the same column under
 * its older name, read from existing bundles. A constant column gets sd 1.
 */

const fitted = {
  input: inputName,
  center: z.number(),
  scale: z.number().check(z.refine((v) => v !== 0 && Number.isFinite(v), 'scale must be finite and not 0')),
};
export const standardizeSpec = z.strictObject({ step: z.literal('standardize'), input: inputName });
export const standardizeStep = z.strictObject({ step: z.literal('standardize'), ...fitted });
export const scaleStep = z.strictObject({ step: z.literal('scale'), ...fitted });
export type StandardizeStep = z.infer<typeof standardizeStep> | z.infer<typeof scaleStep>;

export function compileStandardize(step: StandardizeStep, ctx: StepContext): CompiledStep {
  const k = ctx.slot(step.input, ['number', 'integer']);
  const { center, scale } = step;
  return {
    columns: [step.input],
    write(values, row, at) {
      row[at] = ((values[k] as number) - center) / scale;
    },
  };
}

export function fitStandardize(step: z.infer<typeof standardizeSpec>, data: FitData): z.infer<typeof standardizeStep> {
  const values = numbersOf(data, step.input);
  if (!values.length) throw stepError(step, 'no values in the training data');
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { ...step, center: round(mean), scale: round(sd) || 1 };
}
