import * as z from 'zod/mini';
import { inputName, type CompiledStep, type StepContext } from './step.js';

/** `passthrough`: a number, integer or boolean (1/0) input as its own column, unchanged. Missing → NaN. */

export const passthroughStep = z.strictObject({ step: z.literal('passthrough'), input: inputName });
export type PassthroughStep = z.infer<typeof passthroughStep>;

export function compilePassthrough(step: PassthroughStep, ctx: StepContext): CompiledStep {
  const k = ctx.slot(step.input, ['number', 'integer', 'boolean']);
  return {
    columns: [step.input],
    write(values, row, at) {
      row[at] = values[k] as number;
    },
  };
}
