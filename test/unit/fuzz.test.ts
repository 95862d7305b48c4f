import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError, type Prediction, type Predictor, type RejectedRecord, type ValidationIssue } from '../../src/index.js';
import { compilePipeline, type Pipeline } from '../../src/features/pipeline.js';
import { LABELS, bandOf, createBikePredictor, manifest } from '../fixtures/bike-validation.js';
import { anyRecord, validRecord } from '../fixtures/fuzz-arbitraries.js';
import { NAMES, reference, type Expected } from '../fixtures/fuzz-reference.js';

/**
 * Issue 6, fuzzing: property-based tests over the validator, the feature pipeline and the whole
 * inline predictor with the real bike bundle. Realistic valid records are mixed with mutated ones
 * (wrong types, NaN, huge numbers, weird strings, missing keys, extra keys, odd dates) and
 * non-records. Each outcome is checked against an independent reference validator written from
 * the manifest: which records are accepted, which fields each rejected one is blamed for, and
 * which warnings each accepted one carries. Set FUZZ_SEED to replay a failure.
 */

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const { hasOwn } = Object;

let predictor: Predictor;
let pipeline: Pipeline;
let generated = 0;
let acceptedCount = 0;
let rejectedCount = 0;
let warnedCount = 0;

beforeAll(async () => {
  predictor = await createBikePredictor();
  pipeline = compilePipeline(manifest.inputs, manifest.features);
});
afterAll(() => predictor?.dispose());

// ---------------------------------------------------------------------------------------------
// Checks (the reference validator is test/fixtures/fuzz-reference.ts, the generators
// test/fixtures/fuzz-arbitraries.ts)
// ---------------------------------------------------------------------------------------------

/** A thrown value must be a ValidationError with a well-formed, cloneable issue list. */
function asValidationError(error: unknown): ValidationError {
  if (!(error instanceof ValidationError)) {
    throw new Error(`unexpected ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
  }
  expect(error.code).toBe('ERR_VALIDATION');
  expect(error.issues.length).toBeGreaterThan(0);
  structuredClone(error.issues); // must not throw: issues cross the worker boundary
  return error;
}

function checkIssues(issues: readonly ValidationIssue[], index: number, expected: Expected, strict: boolean, record: unknown): void {
  const where = `record ${index}: ${safe(record)}`;
  expect(
    issues.map((i) => i.path),
    where,
  ).toEqual(expected.paths);
  for (const issue of issues) {
    expect(issue.index, where).toBe(index);
    expect(typeof issue.message).toBe('string');
    expect(issue.message.length).toBeGreaterThan(0);
    // A path names a declared field, '' (the record itself) or, in strict mode only, an extra key.
    if (!(issue.path === '' || NAMES.includes(issue.path))) {
      expect(strict, `${where}: path ${JSON.stringify(issue.path)}`).toBe(true);
      expect(Object.keys(record as object)).toContain(issue.path);
    }
    // '' is also the name of an extra key `""` in strict mode; `kind` tells the two apart.
    if (issue.path === '' && issue.kind !== 'unknown-field') expect(expected.paths, where).toEqual(['']);
  }
}

function checkPrediction(p: Prediction | RejectedRecord | undefined, index: number, expected: Expected, record: unknown): number {
  const where = `record ${index}: ${safe(record)}`;
  expect(p, where).toBeDefined();
  expect(p, where).not.toHaveProperty('error');
  const prediction = p as Prediction;
  const rentals = prediction.rentals as number;
  expect(typeof rentals, where).toBe('number');
  expect(Number.isFinite(rentals), where).toBe(true);
  expect(rentals, where).toBeGreaterThanOrEqual(0);
  expect(LABELS).toContain(prediction.busyness);
  expect(prediction.busyness, where).toBe(bandOf(rentals));
  const warnings = prediction.warnings ?? [];
  expect(
    warnings.map((w) => ({ field: w.field, kind: w.kind })),
    where,
  ).toEqual(expected.warnings);
  for (const w of warnings) expect(w.index, where).toBe(index);
  return rentals;
}

function safe(value: unknown): string {
  try {
    return fc.stringify(value).slice(0, 300);
  } catch {
    return typeof value;
  }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('fuzz: predictBatch with generated records (real bike bundle, inline)', () => {
  it('report mode, reject mode and the canonical twin agree with the reference validator', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyRecord, { minLength: 100, maxLength: 180 }), fc.boolean(), async (records, strictFlag) => {
        const strict = strictFlag && records.length % 3 === 0; // strict mode on roughly a sixth of the batches
        generated += records.length;
        const expected = records.map((r) => reference(r, strict));

        // Report mode: valid records predicted, invalid ones replaced in place.
        let out: Array<Prediction | RejectedRecord>;
        try {
          out = await predictor.predictBatch(records, { invalid: 'report', strict });
        } catch (error) {
          throw new Error(`report mode must not throw: ${String(error)}`, { cause: error });
        }
        expect(out).toHaveLength(records.length);
        const allIssues: ValidationIssue[] = [];
        const accepted: number[] = [];
        const rentals: number[] = [];
        out.forEach((p, i) => {
          if (expected[i]!.paths.length) {
            expect(p, `record ${i} should be rejected: ${safe(records[i])}`).toHaveProperty('error');
            const { error } = p as RejectedRecord;
            expect(error.code).toBe('ERR_VALIDATION');
            checkIssues(error.issues, i, expected[i]!, strict, records[i]);
            allIssues.push(...error.issues);
            rejectedCount++;
          } else {
            rentals.push(checkPrediction(p, i, expected[i]!, records[i]));
            accepted.push(i);
            acceptedCount++;
            if (expected[i]!.warnings.length) warnedCount++;
          }
        });

        // Reject mode (default): one ValidationError listing every issue of every bad record, in order.
        const rejectMode = await predictor.predictBatch(records, { strict }).then(
          (value) => ({ value }),
          (error: unknown) => ({ error: asValidationError(error) }),
        );
        if (allIssues.length) {
          expect('error' in rejectMode, 'a batch with invalid records must reject').toBe(true);
          expect((rejectMode as { error: ValidationError }).error.issues).toEqual(allIssues);
        } else {
          expect((rejectMode as { value: Prediction[] }).value).toEqual(out);
        }

        // Metamorphic: each accepted record answers exactly like its canonical twin (clipped
        // values at the bound, aliases resolved, extra keys dropped).
        if (accepted.length) {
          const twins = await predictor.predictBatch(
            accepted.map((i) => expected[i]!.canonical!),
            { strict: true },
          );
          twins.forEach((twin, k) => {
            expect(twin.rentals, `canonical twin of record ${accepted[k]}: ${safe(records[accepted[k]!])}`).toBe(rentals[k]);
          });
        }

        // The pipeline alone: same accept/reject split, finite rows for accepted records, zero rows for the rest.
        const encoded = pipeline.encode(records, { invalid: 'report', strict });
        const w = pipeline.width;
        for (let i = 0; i < records.length; i++) {
          const row = encoded.matrix.subarray(i * w, (i + 1) * w);
          const rejected = encoded.rejected?.[i] === 1;
          expect(rejected, `pipeline, record ${i}: ${safe(records[i])}`).toBe(expected[i]!.paths.length > 0);
          if (rejected) expect(row.every((x) => x === 0)).toBe(true);
          else
            expect(
              row.every((x) => Number.isFinite(x)),
              `pipeline row ${i}: ${safe(records[i])}`,
            ).toBe(true);
        }
        expect(encoded.issues).toEqual(allIssues);
      }),
      { numRuns: 70, seed, endOnFailure: true },
    );
  });

  it('predict, one record at a time, agrees with the reference validator', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(anyRecord, fc.boolean(), async (record, strict) => {
        generated += 1;
        const expected = reference(record, strict);
        const result = await predictor.predict(record, { strict }).then(
          (value) => ({ value }),
          (error: unknown) => ({ error: asValidationError(error) }),
        );
        if (expected.paths.length) {
          expect('error' in result, `should be rejected: ${safe(record)}`).toBe(true);
          checkIssues((result as { error: ValidationError }).error.issues, 0, expected, strict, record);
        } else {
          expect('value' in result, `should be accepted: ${safe(record)} (${'error' in result ? result.error.message : ''})`).toBe(true);
          checkPrediction((result as { value: Prediction }).value, 0, expected, record);
        }
      }),
      { numRuns: 1500, seed, endOnFailure: true },
    );
  });

  it('JSON-shaped hostile records (__proto__ / constructor / prototype) never pollute and never change the answer', {
    timeout: 30_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        validRecord,
        fc.subarray(['__proto__', 'constructor', 'prototype'], { minLength: 1 }),
        fc.jsonValue({ maxDepth: 2 }),
        async (base, keys, payload) => {
          generated += 1;
          const hostile = JSON.parse(
            `{${keys.map((k) => `${JSON.stringify(k)}:{"polluted":"yes","temperature":-40,"prototype":{"polluted":"yes"},"x":${JSON.stringify(payload)}}`).join(',')},${JSON.stringify(base).slice(1)}`,
          ) as Record<string, unknown>;
          for (const k of keys) expect(hasOwn(hostile, k)).toBe(true);
          // Compare with the same record after a JSON round trip (which turns -0 into 0).
          const [clean] = await predictor.predictBatch([JSON.parse(JSON.stringify(base))]);
          expect(await predictor.predict(hostile)).toEqual(clean);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
          expect(({} as Record<string, unknown>).temperature).toBeUndefined();
        },
      ),
      { numRuns: 200, seed, endOnFailure: true },
    );
  });

  it('generated at least 10,000 records in total', () => {
    console.log(
      `[fuzz] ${generated} generated records checked; in batches ${acceptedCount} accepted (${warnedCount} with warnings), ${rejectedCount} rejected`,
    );
    expect(generated).toBeGreaterThanOrEqual(10_000);
    // The mix is real: plenty of both outcomes, and of accepted-but-flagged records.
    expect(acceptedCount).toBeGreaterThan(2_000);
    expect(rejectedCount).toBeGreaterThan(2_000);
    expect(warnedCount).toBeGreaterThan(500);
  });
});
