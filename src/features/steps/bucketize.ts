import * as z from 'zod/mini';
import { inputName, numbersOf, round, stepError, type CompiledStep, type FitData, type StepContext } from './step.js';

/**
 * `bucketize`: the index of the bucket a number falls in. Bucket b holds edges[b−1] ≤ x < edges[b],
 * so a value exactly on an edge belongs to the bucket above it. Edges are given, or fitted as
 * `quantiles` equal-count buckets of the training values (repeated edges merged). NaN stays NaN.
 */

const edges = z.array(z.number()).check(
  z.minLength(1),
  z.refine((e) => e.every((x, i) => Number.isFinite(x) && (i === 0 || x > e[i - 1]!)), 'edges must be finite and increase'),
);
export const bucketizeSpec = z.strictObject({
  step: z.literal('bucketize'),
  input: inputName,
  edges: z.optional(edges),
  /** Number of equal-count buckets to fit (2…1000) when `edges` is not given. */
  quantiles: z.optional(z.int().check(z.gte(2), z.lte(1000))),
});
export const bucketizeStep = z.strictObject({ step: z.literal('bucketize'), input: inputName, edges, quantiles: z.optional(z.int()) });
export type BucketizeStep = z.infer<typeof bucketizeStep>;

export function compileBucketize(step: BucketizeStep, ctx: StepContext): CompiledStep {
  const k = ctx.slot(step.input, ['number', 'integer']);
  const e = Float64Array.from(step.edges);
  return {
    columns: [`${step.input}.bucket`],
    write(values, row, at) {
      const v = values[k] as number;
      if (Number.isNaN(v)) {
        row[at] = NaN;
        return;
      }
      // Binary search: first edge greater than v.
      let lo = 0;
      let hi = e.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (e[mid]! <= v) lo = mid + 1;
        else hi = mid;
      }
      row[at] = lo;
    },
  };
}

export function fitBucketize(step: z.infer<typeof bucketizeSpec>, data: FitData): BucketizeStep {
  if (step.edges) return { ...step, edges: step.edges };
  if (step.quantiles === undefined) throw stepError(step, 'give either edges or quantiles');
  const sorted = numbersOf(data, step.input).sort((a, b) => a - b);
  if (!sorted.length) throw stepError(step, 'no values in the training data');
  const cuts: number[] = [];
  for (let q = 1; q < step.quantiles; q++) {
    const cut = round(sorted[Math.floor((q * sorted.length) / step.quantiles)]!);
    // A cut at the minimum would leave the first bucket empty; repeated cuts collapse.
    if (cut > sorted[0]! && (cuts.length === 0 || cut > cuts[cuts.length - 1]!)) cuts.push(cut);
  }
  if (!cuts.length) throw stepError(step, `the training values are constant (${sorted[0]}), so there is nothing to bucket`);
  return { ...step, edges: cuts };
}
