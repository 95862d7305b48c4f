import * as z from 'zod/mini';
import { inputName, numbersOf, round, stepError, type CompiledStep, type FitData, type StepContext } from './step.js';

/**
 * `minMax`: (x − min) / (max − min) with min and max fitted on the training values; `fromZero`
 * keeps min at 0, the classic x / max scaling. `clip` holds the column to 0…1 for values beyond
 * the training ones (otherwise it extrapolates). A constant column is 0.
 */

const options = { input: inputName, fromZero: z.optional(z.boolean()), clip: z.optional(z.boolean()) };
export const minMaxSpec = z.strictObject({ step: z.literal('minMax'), ...options });
export const minMaxStep = z.strictObject({ step: z.literal('minMax'), ...options, min: z.number(), max: z.number() });
export type MinMaxStep = z.infer<typeof minMaxStep>;

export function compileMinMax(step: MinMaxStep, ctx: StepContext): CompiledStep {
  const k = ctx.slot(step.input, ['number', 'integer']);
  const { min } = step;
  const span = step.max - step.min || Infinity;
  const clip = step.clip === true;
  return {
    columns: [step.input],
    write(values, row, at) {
      const v = ((values[k] as number) - min) / span;
      row[at] = clip ? Math.min(Math.max(v, 0), 1) : v;
    },
  };
}

export function fitMinMax(step: z.infer<typeof minMaxSpec>, data: FitData): MinMaxStep {
  const values = numbersOf(data, step.input);
  if (!values.length) throw stepError(step, 'no values in the training data');
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { ...step, min: step.fromZero ? 0 : round(min), max: round(max) };
}
