import * as z from 'zod/mini';
import { inputName, numbersOf, stepError, type CompiledStep, type FitData, type StepContext } from './step.js';

/** `log1p`: ln(1 + x), for skewed non-negative numbers (counts, prices). Values below −1 give NaN, so fitting refuses them. */

export const log1pStep = z.strictObject({ step: z.literal('log1p'), input: inputName });
export type Log1pStep = z.infer<typeof log1pStep>;

export function compileLog1p(step: Log1pStep, ctx: StepContext): CompiledStep {
  const k = ctx.slot(step.input, ['number', 'integer']);
  return {
    columns: [`log1p(${step.input})`],
    write(values, row, at) {
      row[at] = Math.log1p(values[k] as number);
    },
  };
}

export function fitLog1p(step: Log1pStep, data: FitData): Log1pStep {
  const low = numbersOf(data, step.input).find((v) => v <= -1);
  if (low !== undefined)
    throw stepError(step, `log1p needs values above −1; the training data has ${low} (declare valid.min > −1 or use another step)`);
  return step;
}
