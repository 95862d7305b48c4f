import * as z from 'zod/mini';
import { SpecError } from '../errors.js';
import { stepSpec } from '../features/steps/index.js';

/**
 * The pipeline spec a user writes (spec.json): inputs, feature steps and the output, before
 * anything is fitted. Everything the data can tell (ranges, scales, vocabularies, bucket
 * edges) is left out; `fit` learns it. docs/pipeline-spec.md documents every field.
 */

const name = z.string().check(z.minLength(1));
const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD'));
const isoDateTime = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'expected YYYY-MM-DDTHH:mm'));
const interval = <T extends z.ZodMiniType>(t: T) => z.strictObject({ min: t, max: t });
const outOfRange = z.optional(z.enum(['clip', 'extrapolate', 'reject']));

const common = {
  name,
  description: z.optional(z.string()),
  /** Default true; `false` with a `default` is the same as `missing: "default"`. */
  required: z.optional(z.boolean()),
  missing: z.optional(z.enum(['reject', 'default', 'model'])),
};

const numberInput = z.strictObject({
  ...common,
  type: z.enum(['number', 'integer']),
  unit: z.optional(z.string()),
  default: z.optional(z.number()),
  valid: z.optional(interval(z.number())),
  /** The training range; fitted from the data when left out. */
  range: z.optional(interval(z.number())),
  /** Default `clip`. */
  outOfRange,
});
const dateInput = z.strictObject({
  ...common,
  type: z.literal('date'),
  default: z.optional(isoDate),
  valid: z.optional(interval(isoDate)),
  range: z.optional(interval(isoDate)),
  /** Default `extrapolate`. */
  outOfRange,
});
const dateTimeInput = z.strictObject({
  ...common,
  type: z.literal('datetime'),
  timeZone: z.optional(z.string()),
  default: z.optional(isoDateTime),
  valid: z.optional(interval(isoDateTime)),
  range: z.optional(interval(isoDateTime)),
  outOfRange,
});
const categoryInput = z.strictObject({
  ...common,
  type: z.literal('category'),
  /** The known values, in order (the order `categoryCode` numbers them in); fitted (sorted) when left out. */
  values: z.optional(z.array(z.string()).check(z.minLength(1))),
  aliases: z.optional(z.record(z.string(), z.string())),
  default: z.optional(z.string()),
  /** Default `reject`. */
  unknown: z.optional(z.enum(['reject', 'default'])),
});
const booleanInput = z.strictObject({ ...common, type: z.literal('boolean'), default: z.optional(z.boolean()) });

export const inputSpec = z.discriminatedUnion('type', [numberInput, dateInput, dateTimeInput, categoryInput, booleanInput]);
export type InputSpec = z.infer<typeof inputSpec>;

export const outputSpec = z.strictObject({
  /** Name of the published number, e.g. `sales`. */
  name,
  kind: z.optional(z.literal('regression')),
  unit: z.optional(z.string()),
  /** The transform the model's target was trained on; predictions are transformed back. Default `identity`. */
  transform: z.optional(z.enum(['identity', 'log', 'log1p'])),
  clampMin: z.optional(z.number()),
  bands: z.optional(
    z.strictObject({
      name,
      thresholds: z.array(z.number()),
      labels: z.array(z.string()),
      description: z.optional(z.string()),
    }),
  ),
  /**
   * A multiplicative demand level per calendar year of a date or datetime input. `train` fits it (backfitting
   * with the trees) when `byYear` is left out; a model trained elsewhere must give `byYear`.
   */
  level: z.optional(
    z.strictObject({
      input: name,
      byYear: z.optional(z.record(z.string().check(z.regex(/^\d{4}$/)), z.number().check(z.positive()))),
    }),
  ),
});
export type OutputSpec = z.infer<typeof outputSpec>;

export const pipelineSpec = z.strictObject({
  $schema: z.optional(z.string()),
  name,
  version: name,
  description: z.optional(z.string()),
  inputs: z.array(inputSpec).check(z.minLength(1)),
  features: z.array(stepSpec).check(z.minLength(1)),
  output: outputSpec,
});
export type PipelineSpec = z.infer<typeof pipelineSpec>;

/** Validates a spec (parsed JSON); the error lists every problem with its path. */
export function parseSpec(value: unknown): PipelineSpec {
  const result = pipelineSpec.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`);
  throw new SpecError(`Invalid pipeline spec:\n  ${problems.join('\n  ')}`, { problems });
}
