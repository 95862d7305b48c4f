import * as z from 'zod/mini';

/**
 * The bundle manifest, format version 1. Strict everywhere: a typo in a hand-edited manifest
 * must fail loudly at load time, not silently change what the model sees. `zod/mini` keeps
 * the worker bundle small: it tree-shakes to the validators actually used.
 */

export const FORMAT_VERSION = 1;

const nonEmpty = z.string().check(z.minLength(1));

const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD'));
const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'));

/** What happens to a value outside the range seen in training. Every case is flagged in the prediction's `warnings`. */
const outOfRangePolicy = z.enum(['clip', 'extrapolate', 'reject']);

const fieldBase = {
  name: nonEmpty,
  description: z.optional(z.string()),
  required: z.boolean(),
};

const numberField = z.strictObject({
  ...fieldBase,
  type: z.enum(['number', 'integer']),
  unit: z.optional(z.string()),
  default: z.optional(z.number()),
  range: z.strictObject({ min: z.number(), max: z.number() }),
  outOfRange: outOfRangePolicy,
});

const dateField = z.strictObject({
  ...fieldBase,
  type: z.literal('date'),
  default: z.optional(isoDate),
  range: z.strictObject({ min: isoDate, max: isoDate }),
  outOfRange: outOfRangePolicy,
});

const categoryField = z.strictObject({
  ...fieldBase,
  type: z.literal('category'),
  values: z.array(z.string()).check(z.minLength(1)),
  /** Other spellings accepted for a value, e.g. the UCI codes `"1"` → `"clear"`. Numbers are matched by their string form. */
  aliases: z.optional(z.record(z.string(), z.string())),
  default: z.optional(z.string()),
  /** `reject` refuses an unknown value; `default` replaces it with `default` and flags it. */
  unknown: z.enum(['reject', 'default']),
});

const booleanField = z.strictObject({
  ...fieldBase,
  type: z.literal('boolean'),
  default: z.optional(z.boolean()),
});

const inputField = z.discriminatedUnion('type', [numberField, dateField, categoryField, booleanField]);

const calendarPart = z.enum(['dayOfYear', 'month', 'weekday', 'season', 'yearOffset', 'dayOfMonth']);

/** Feature steps, in the order they write model columns. Add a step: here, in features/steps.ts, and a test. */
const featureStep = z.discriminatedUnion('step', [
  z.strictObject({
    step: z.literal('calendar'),
    input: z.string(),
    parts: z.array(calendarPart).check(z.minLength(1)),
    /** Year that `yearOffset` counts from (required with that part). */
    originYear: z.optional(z.int()),
  }),
  z.strictObject({
    step: z.literal('holiday'),
    input: z.string(),
    calendar: z.literal('us-dc'),
    /** Optional boolean input that overrides the calendar for a record. */
    override: z.optional(z.string()),
  }),
  z.strictObject({
    step: z.literal('workingDay'),
    input: z.string(),
    calendar: z.literal('us-dc'),
    override: z.optional(z.string()),
  }),
  z.strictObject({
    step: z.literal('scale'),
    input: z.string(),
    /** column = (value - center) / scale, fitted at training time. */
    center: z.number(),
    scale: z.number().check(z.refine((v) => v !== 0, 'scale must not be 0')),
  }),
  z.strictObject({
    step: z.literal('categoryCode'),
    input: z.string(),
    /** Fitted vocabulary: value → code. */
    codes: z.record(z.string(), z.number()),
  }),
]);

/** Raw model output → published outputs. */
const postprocess = z.strictObject({
  /** Name of the published number, e.g. `rentals`. */
  name: nonEmpty,
  unit: z.optional(z.string()),
  /** Inverse of the training target transform. */
  inverse: z.enum(['identity', 'exp']),
  /** Multiplicative demand level per calendar year of a date input; years outside use the nearest year. */
  level: z.optional(
    z.strictObject({
      input: z.string(),
      byYear: z.record(z.string().check(z.regex(/^\d{4}$/)), z.number().check(z.positive())),
    }),
  ),
  clampMin: z.optional(z.number()),
  /** Ordered bands: `labels[i]` applies below `thresholds[i]`, the last label above all thresholds. */
  bands: z.optional(
    z
      .strictObject({
        name: nonEmpty,
        thresholds: z.array(z.number()),
        labels: z.array(z.string()),
        description: z.optional(z.string()),
      })
      .check(
        z.refine((b) => b.labels.length === b.thresholds.length + 1, 'bands need one more label than thresholds'),
        z.refine((b) => b.thresholds.every((t, i) => i === 0 || t > b.thresholds[i - 1]!), 'thresholds must increase'),
      ),
  ),
});

/** Per-month frequencies (January first), each like `freq`: the seasonal reference for drift. */
const byMonth = z.optional(z.array(z.array(z.number().check(z.nonnegative()))).check(z.length(12)));

/** Bins of a numeric value: bin b holds values v with edges[b-1] <= v < edges[b]; `freq` (one more than edges) sums to 1. */
const histogram = z
  .strictObject({ edges: z.array(z.number()), freq: z.array(z.number().check(z.nonnegative())), byMonth })
  .check(
    z.refine((h) => h.freq.length === h.edges.length + 1, 'a histogram needs one more freq than edges'),
    z.refine((h) => !h.byMonth || h.byMonth.every((f) => f.length === h.freq.length), 'byMonth rows need one freq per bin'),
  );

/** Training frequency of each category value. */
const categorical = z
  .strictObject({ values: z.array(z.string()), freq: z.array(z.number().check(z.nonnegative())), byMonth })
  .check(
    z.refine((c) => c.freq.length === c.values.length, 'one freq per value'),
    z.refine((c) => !c.byMonth || c.byMonth.every((f) => f.length === c.freq.length), 'byMonth rows need one freq per value'),
  );

const metricSet = z.strictObject({
  mae: z.number(),
  rmse: z.number(),
  r2: z.number(),
  bias: z.number(),
  rows: z.int(),
  from: z.optional(isoDate),
  to: z.optional(isoDate),
});

export const manifestSchema = z.strictObject({
  formatVersion: z.literal(FORMAT_VERSION),
  name: nonEmpty,
  version: nonEmpty,
  createdAt: z.string(),
  description: z.optional(z.string()),
  training: z.strictObject({
    dataset: z.string(),
    citation: z.optional(z.string()),
    rows: z.int().check(z.nonnegative()),
    from: z.optional(isoDate),
    to: z.optional(isoDate),
    split: z.string(),
    seed: z.optional(z.int()),
    params: z.optional(z.record(z.string(), z.unknown())),
  }),
  inputs: z.array(inputField).check(z.minLength(1)),
  features: z.array(featureStep).check(z.minLength(1)),
  model: z.strictObject({
    file: nonEmpty,
    sha256: sha256Hex,
    bytes: z.int().check(z.positive()),
    inputName: z.string(),
    outputName: z.string(),
    /** Model input columns in order; must equal what the feature steps produce. */
    columns: z.array(z.string()).check(z.minLength(1)),
  }),
  output: postprocess,
  metrics: z.optional(z.record(z.string(), metricSet)),
  /** Reference statistics of the training inputs and outputs (drift monitoring). */
  reference: z.optional(
    z.strictObject({
      rows: z.int().check(z.positive()),
      fields: z.record(z.string(), z.union([histogram, categorical])),
      output: histogram,
    }),
  ),
  /** Extra files shipped beside the manifest (e.g. typical weather for the demo). */
  extras: z.optional(z.record(z.string(), z.string())),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type InputField = z.infer<typeof inputField>;
export type FeatureStep = z.infer<typeof featureStep>;
export type Postprocess = z.infer<typeof postprocess>;
export type OutOfRangePolicy = z.infer<typeof outOfRangePolicy>;
export type Histogram = z.infer<typeof histogram>;
export type Categorical = z.infer<typeof categorical>;
export type Reference = NonNullable<Manifest['reference']>;
