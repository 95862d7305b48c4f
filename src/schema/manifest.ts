import * as z from 'zod/mini';
import { featureStep } from '../features/steps/index.js';

/**
 * The bundle manifest, format version 1. Strict everywhere: a typo in a hand-edited manifest
 * must fail loudly at load time, not silently change what the model sees. `zod/mini` keeps
 * the worker bundle small: it tree-shakes to the validators actually used.
 */

export const FORMAT_VERSION = 1;

const nonEmpty = z.string().check(z.minLength(1));

const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD'));
const isoDateTime = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'expected YYYY-MM-DDTHH:mm'));
const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'));

/** What happens to a value outside the range seen in training. Every case is flagged in the prediction's `warnings`. */
const outOfRangePolicy = z.enum(['clip', 'extrapolate', 'reject']);

/** An absent (or null) value: `reject` it, use the field's `default`, or pass NaN to the `model` (whose trees route missing values). */
const missingPolicy = z.enum(['reject', 'default', 'model']);

const interval = <T extends z.ZodMiniType>(t: T) => z.strictObject({ min: t, max: t });

const fieldBase = {
  name: nonEmpty,
  description: z.optional(z.string()),
  required: z.boolean(),
  missing: z.optional(missingPolicy),
};

const numberField = z.strictObject({
  ...fieldBase,
  type: z.enum(['number', 'integer']),
  unit: z.optional(z.string()),
  default: z.optional(z.number()),
  /** Physically possible values; anything outside is rejected as implausible (205 °C), whatever `outOfRange` says. */
  valid: z.optional(interval(z.number())),
  range: interval(z.number()),
  outOfRange: outOfRangePolicy,
});

const dateField = z.strictObject({
  ...fieldBase,
  type: z.literal('date'),
  default: z.optional(isoDate),
  valid: z.optional(interval(isoDate)),
  range: interval(isoDate),
  outOfRange: outOfRangePolicy,
});

const dateTimeField = z.strictObject({
  ...fieldBase,
  type: z.literal('datetime'),
  /** IANA zone the model's calendar columns are in; a value with `Z` or an offset is converted to it. Default UTC. */
  timeZone: z.optional(z.string()),
  default: z.optional(isoDateTime),
  valid: z.optional(interval(isoDateTime)),
  range: interval(isoDateTime),
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

export const inputField = z.discriminatedUnion('type', [numberField, dateField, dateTimeField, categoryField, booleanField]).check(
  z.refine(
    (f) => f.missing !== 'model' || (f.type !== 'date' && f.type !== 'datetime'),
    'a date cannot be missing: "model"; use reject or default',
  ),
  z.refine((f) => f.missing !== 'default' || f.default !== undefined, 'missing: "default" needs a default'),
);

/** Raw model output → published outputs. */
const postprocess = z
  .strictObject({
    /** Name of the published output, e.g. `rentals`, or of the class label for a classifier. */
    name: nonEmpty,
    /** `regression` (default): the model's output is one number per row. `classification`: its output is the probability of each of `labels`, `[N, labels.length]`. */
    kind: z.optional(z.enum(['regression', 'classification'])),
    /** Class labels in the order of the model's probability columns (classification only). */
    labels: z.optional(z.array(z.string()).check(z.minLength(2))),
    unit: z.optional(z.string()),
    /** Inverse of the training target transform (`log` → `exp`, `log1p` → `expm1`). */
    inverse: z.enum(['identity', 'exp', 'expm1']),
    /** Multiplicative demand level per calendar year of a date or datetime input; years outside use the nearest year. */
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
  })
  .check(
    z.refine(
      (o) => (o.kind === 'classification') === (o.labels !== undefined),
      'a classification output needs labels, and only it has them',
    ),
    z.refine(
      (o) => o.kind !== 'classification' || (o.inverse === 'identity' && !o.level && !o.bands && o.clampMin === undefined),
      'a classification output has no inverse transform, level, bands or clampMin',
    ),
  );

/** Per-month frequencies (January first), each like `freq`: the seasonal reference for drift. */
const byMonth = z.optional(z.array(z.array(z.number().check(z.nonnegative()))).check(z.length(12)));

/** Bins of a numeric value: bin b holds values v with edges[b-1] <= v < edges[b]; `freq` (one more than edges) sums to 1. */
export const histogram = z.strictObject({ edges: z.array(z.number()), freq: z.array(z.number().check(z.nonnegative())), byMonth }).check(
  z.refine((h) => h.freq.length === h.edges.length + 1, 'a histogram needs one more freq than edges'),
  z.refine((h) => !h.byMonth || h.byMonth.every((f) => f.length === h.freq.length), 'byMonth rows need one freq per bin'),
);

/** Training frequency of each category value. */
export const categorical = z.strictObject({ values: z.array(z.string()), freq: z.array(z.number().check(z.nonnegative())), byMonth }).check(
  z.refine((c) => c.freq.length === c.values.length, 'one freq per value'),
  z.refine((c) => !c.byMonth || c.byMonth.every((f) => f.length === c.freq.length), 'byMonth rows need one freq per value'),
);

export const metricSet = z.strictObject({
  /** Regression. */
  mae: z.optional(z.number()),
  rmse: z.optional(z.number()),
  r2: z.optional(z.number()),
  bias: z.optional(z.number()),
  /** Classification: share correct, mean log-loss, mean Brier score. */
  accuracy: z.optional(z.number()),
  logLoss: z.optional(z.number()),
  brier: z.optional(z.number()),
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
      /** Input whose month keys `byMonth` (the first date or date-time input). */
      monthsOf: z.optional(z.string()),
      /** Level-free model outputs on the training rows; absent when the bundle was made without data. */
      output: z.optional(histogram),
    }),
  ),
  /** Extra files shipped beside the manifest (e.g. typical weather for the demo). */
  extras: z.optional(z.record(z.string(), z.string())),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type InputField = z.infer<typeof inputField>;
export type { FeatureStep } from '../features/steps/index.js';
export type Postprocess = z.infer<typeof postprocess>;
export type OutOfRangePolicy = z.infer<typeof outOfRangePolicy>;
export type Histogram = z.infer<typeof histogram>;
export type Categorical = z.infer<typeof categorical>;
export type Reference = NonNullable<Manifest['reference']>;
