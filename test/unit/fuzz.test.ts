import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPredictor,
  ValidationError,
  type InputField,
  type Manifest,
  type Prediction,
  type Predictor,
  type RejectedRecord,
  type ValidationIssue,
} from '../../src/index.js';
import { compilePipeline, type Pipeline } from '../../src/features/pipeline.js';
import { parseManifest } from '../../src/schema/parse.js';

/**
 * Issue 6, fuzzing: property-based tests over the validator, the feature pipeline and the whole
 * inline predictor with the real bike bundle. Realistic valid records are mixed with mutated ones
 * (wrong types, NaN, huge numbers, weird strings, missing keys, extra keys, odd dates) and
 * non-records. Each outcome is checked against an independent reference validator written from
 * the manifest: which records are accepted, which fields each rejected one is blamed for, and
 * which warnings each accepted one carries. Set FUZZ_SEED to replay a failure.
 */

const MANIFEST_PATH = 'models/bike-daily/manifest.json';
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const manifest: Manifest = parseManifest(JSON.parse(readFileSync(join(repoRoot, MANIFEST_PATH), 'utf8')), MANIFEST_PATH);
const FIELDS = manifest.inputs;
const NAMES = FIELDS.map((f) => f.name);
const bands = manifest.output.bands!;
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

let predictor: Predictor;
let pipeline: Pipeline;
let generated = 0;
let acceptedCount = 0;
let rejectedCount = 0;
let warnedCount = 0;

beforeAll(async () => {
  predictor = await createPredictor(MANIFEST_PATH, { worker: false });
  pipeline = compilePipeline(manifest.inputs, manifest.features);
});
afterAll(() => predictor?.dispose());

// ---------------------------------------------------------------------------------------------
// Reference validator: what the manifest says should happen, written independently of src/.
// ---------------------------------------------------------------------------------------------

type Kind = 'clipped' | 'extrapolated';
interface Expected {
  /** Paths the record must be blamed for, in order (fields in schema order, then extra keys); empty when valid. */
  paths: string[];
  warnings: Array<{ field: string; kind: Kind }>;
  /** For valid records: an equivalent record with canonical values only (clipped, de-aliased, no extras). */
  canonical?: Record<string, unknown>;
}

const { hasOwn } = Object;

function validDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  if (y < 1000) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function categoryValue(field: Extract<InputField, { type: 'category' }>, v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const key = String(v);
  if (field.values.includes(key)) return key;
  return field.aliases && hasOwn(field.aliases, key) ? field.aliases[key] : undefined;
}

function reference(record: unknown, strict: boolean): Expected {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return { paths: [''], warnings: [] };
  const r = record as Record<string, unknown>;
  const paths: string[] = [];
  const warnings: Expected['warnings'] = [];
  const canonical: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const v = hasOwn(r, f.name) ? r[f.name] : undefined;
    if (v === undefined) {
      if (f.required) paths.push(f.name);
      continue;
    }
    switch (f.type) {
      case 'number':
      case 'integer': {
        if (typeof v !== 'number' || !Number.isFinite(v) || (f.type === 'integer' && !Number.isInteger(v))) {
          paths.push(f.name);
          break;
        }
        const { min, max } = f.range;
        if (v >= min && v <= max) canonical[f.name] = v;
        else if (f.outOfRange === 'reject') paths.push(f.name);
        else if (f.outOfRange === 'clip') {
          warnings.push({ field: f.name, kind: 'clipped' });
          canonical[f.name] = v < min ? min : max;
        } else {
          warnings.push({ field: f.name, kind: 'extrapolated' });
          canonical[f.name] = v;
        }
        break;
      }
      case 'date': {
        if (typeof v !== 'string' || !validDate(v)) {
          paths.push(f.name);
          break;
        }
        canonical[f.name] = v;
        if (v < f.range.min || v > f.range.max) {
          if (f.outOfRange === 'reject') paths.push(f.name);
          else warnings.push({ field: f.name, kind: f.outOfRange === 'clip' ? 'clipped' : 'extrapolated' });
        }
        break;
      }
      case 'category': {
        const c = categoryValue(f, v);
        if (c === undefined) paths.push(f.name);
        else canonical[f.name] = c;
        break;
      }
      case 'boolean': {
        if (v === true || v === 1) canonical[f.name] = true;
        else if (v === false || v === 0) canonical[f.name] = false;
        else paths.push(f.name);
        break;
      }
    }
  }
  if (strict) for (const key of Object.keys(r)) if (!NAMES.includes(key)) paths.push(key);
  return paths.length ? { paths, warnings: [] } : { paths, warnings, canonical };
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const DAY = 86_400_000;
const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const TRAIN_FROM = Date.UTC(2011, 0, 1);
const TRAIN_TO = Date.UTC(2012, 11, 31);

const trainingDate = fc.integer({ min: 0, max: (TRAIN_TO - TRAIN_FROM) / DAY }).map((d) => isoOf(TRAIN_FROM + d * DAY));
const anyValidDate = fc.integer({ min: Date.UTC(1000, 0, 1) / DAY, max: Date.UTC(9999, 11, 31) / DAY }).map((d) => isoOf(d * DAY));
const pad = (n: number, width: number) => (n < 0 ? `-${String(-n).padStart(width, '0')}` : String(n).padStart(width, '0'));

const oddDate = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 12_000 }), fc.integer({ min: -1, max: 14 }), fc.integer({ min: -1, max: 33 })).map(
    ([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`,
  ),
  fc
    .tuple(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1990, max: 2030 }), fc.constantFrom('/', '.', ' ', '', '-'))
    .map(([d, m, y, sep]) => [pad(d, 2), pad(m, 2), String(y)].join(sep)),
  fc.constantFrom(
    '2012-02-30', '2012-13-01', '12/06/2012', '', '2012-02-29', '2011-02-29', '1900-02-29', '2000-02-29', '1000-01-01',
    '0999-12-31', '9999-12-31', '10000-01-01', '2012-06-05T00:00:00Z', '２０１２-06-05', '1900-06-01', '2100-06-01',
    '2012-6-5', ' 2012-06-05', '2012-06-05\n', '-2012-06-05', '+2012-06-05', '2012-06-0a',
  ),
  fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  fc.string({ maxLength: 12 }),
  anyValidDate,
);

const rounded = (min: number, max: number) => fc.integer({ min: min * 10, max: max * 10 }).map((x) => x / 10);
const realisticNumber = (min: number, max: number) =>
  fc.oneof({ weight: 6, arbitrary: rounded(min, max) }, { weight: 1, arbitrary: fc.double({ min, max, noNaN: true }) });

const weatherValue = fc.constantFrom('clear', 'mist', 'light-precipitation', 'heavy-precipitation', 1, 2, 3, 4, '1', '2', '3', '4');

/** Realistic valid records: mostly inside the training ranges (DC weather), sometimes out of range (clip / extrapolate). */
const validRecord = fc.record(
  {
    date: fc.oneof({ weight: 8, arbitrary: trainingDate }, { weight: 2, arbitrary: anyValidDate }),
    temperature: fc.oneof({ weight: 9, arbitrary: realisticNumber(3, 35) }, { weight: 1, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }),
    feelsLike: fc.oneof({ weight: 9, arbitrary: realisticNumber(4, 42) }, { weight: 1, arbitrary: fc.constantFrom(-300, 205, 1e300, -0) }),
    humidity: fc.oneof({ weight: 9, arbitrary: realisticNumber(0, 97) }, { weight: 1, arbitrary: fc.constantFrom(-1, 150, Number.MAX_VALUE) }),
    windSpeed: fc.oneof({ weight: 9, arbitrary: realisticNumber(2, 34) }, { weight: 1, arbitrary: fc.double({ min: -1e9, max: 1e9, noNaN: true }) }),
    weather: weatherValue,
    holiday: fc.constantFrom(true, false, 1, 0),
  },
  { requiredKeys: ['date', 'temperature', 'feelsLike', 'humidity', 'windSpeed', 'weather'] },
);

const weirdString = fc.oneof(
  fc.constantFrom('', ' ', 'NaN', 'Infinity', '-0', '1e3', '25', '25 °C', 'null', 'undefined', 'true', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'CLEAR', 'clear ', 'Mist', '01', '1.0', '5', '0', '<script>', '\u0000', '\uD800', '💥'),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ minLength: 150, maxLength: 400 }),
);

const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, null, undefined, -0, 0, 1, true, false, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, 1e21),
  fc.double(),
  fc.double({ min: -1e308, max: 1e308 }),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  weirdString,
  oddDate,
  weatherValue,
  fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
  fc.constantFrom(new Date(Date.UTC(2012, 5, 5)), Symbol('odd'), () => 1, new Map([['clear', 1]]), Object.create(null) as object),
);

const extraKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'cnt', 'season', 'Temperature', 'date ', ''),
  fc.string({ maxLength: 10 }),
);

type Mutation = { op: 'delete'; key: string } | { op: 'set'; key: string; value: unknown } | { op: 'extra'; key: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom(...NAMES) }),
  fc.record({ op: fc.constant('set' as const), key: fc.constantFrom(...NAMES), value: weirdValue }),
  fc.record({ op: fc.constant('set' as const), key: fc.constant('date'), value: oddDate }),
  fc.record({ op: fc.constant('extra' as const), key: extraKey, value: fc.oneof(weirdValue, fc.object({ maxDepth: 2 })) }),
);

/** A valid record with 1–4 mutations; `__proto__` and friends become own keys, as JSON.parse makes them. */
const mutatedRecord = fc.tuple(validRecord, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([base, mutations]) => {
  const r: Record<string, unknown> = { ...base };
  for (const m of mutations) {
    if (m.op === 'delete') delete r[m.key];
    else Object.defineProperty(r, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return r;
});

const nonRecord: fc.Arbitrary<unknown> = fc.oneof(
  weirdString,
  fc.double(),
  fc.bigInt({ min: -100n, max: 100n }),
  fc.constantFrom(null, undefined, true, false, Symbol('record')),
  fc.array(validRecord, { maxLength: 2 }),
  fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }),
);

const anyRecord: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 10, arbitrary: validRecord },
  { weight: 8, arbitrary: mutatedRecord },
  { weight: 1, arbitrary: nonRecord },
);

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

function bandOf(rentals: number): string {
  let b = 0;
  while (b < bands.thresholds.length && rentals >= bands.thresholds[b]!) b++;
  return bands.labels[b]!;
}

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
  expect(issues.map((i) => i.path), where).toEqual(expected.paths);
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
  expect(bands.labels).toContain(prediction.busyness);
  expect(prediction.busyness, where).toBe(bandOf(rentals));
  const warnings = prediction.warnings ?? [];
  expect(warnings.map((w) => ({ field: w.field, kind: w.kind })), where).toEqual(expected.warnings);
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
          const twins = await predictor.predictBatch(accepted.map((i) => expected[i]!.canonical!), { strict: true });
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
          else expect(row.every((x) => Number.isFinite(x)), `pipeline row ${i}: ${safe(records[i])}`).toBe(true);
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

  it('JSON-shaped hostile records (__proto__ / constructor / prototype) never pollute and never change the answer', { timeout: 30_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(validRecord, fc.subarray(['__proto__', 'constructor', 'prototype'], { minLength: 1 }), fc.jsonValue({ maxDepth: 2 }), async (base, keys, payload) => {
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
      }),
      { numRuns: 200, seed, endOnFailure: true },
    );
  });

  it('generated at least 10,000 records in total', () => {
    console.log(`[fuzz] ${generated} generated records checked; in batches ${acceptedCount} accepted (${warnedCount} with warnings), ${rejectedCount} rejected`);
    expect(generated).toBeGreaterThanOrEqual(10_000);
    // The mix is real: plenty of both outcomes, and of accepted-but-flagged records.
    expect(acceptedCount).toBeGreaterThan(2_000);
    expect(rejectedCount).toBeGreaterThan(2_000);
    expect(warnedCount).toBeGreaterThan(500);
  });
});
