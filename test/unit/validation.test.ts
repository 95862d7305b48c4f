import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPredictor,
  FeaturecastError,
  ValidationError,
  type Manifest,
  type Prediction,
  type Predictor,
  type RejectedRecord,
  type ValidationIssue,
} from '../../src/index.js';
import { compilePipeline } from '../../src/features/pipeline.js';
import { compileOutput } from '../../src/outputs/postprocess.js';
import { parseManifest } from '../../src/schema/parse.js';
import { compileReader, type FieldValue, type Warning } from '../../src/schema/record.js';
import { tinyBundle, tinyRecords } from '../fixtures/tiny-bundle.js';

/**
 * Issue 6, "bad input to cover": every case against the real bike bundle through
 * createPredictor(…, { worker: false }), and against the feature pipeline / reader where that
 * is the unit under test. The tiny fixture supplies the `reject` range policy (humidity).
 */

const MANIFEST_PATH = 'models/bike-daily/manifest.json';
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const manifest: Manifest = parseManifest(JSON.parse(readFileSync(join(repoRoot, MANIFEST_PATH), 'utf8')), MANIFEST_PATH);

const REQUIRED = manifest.inputs.filter((f) => f.required).map((f) => f.name);
const LABELS = manifest.output.bands!.labels;
const KINDS = ['record', 'missing', 'type', 'format', 'out-of-range', 'unknown-category', 'unknown-field'];
const ALLOWED_WEATHER = ['clear', 'mist', 'light-precipitation', 'heavy-precipitation'];

function rangeOf(name: string): { min: number; max: number } {
  const field = manifest.inputs.find((f) => f.name === name);
  if (!field || (field.type !== 'number' && field.type !== 'integer')) throw new Error(`no numeric field ${name}`);
  return field.range;
}

/** A realistic early-June Tuesday in DC, inside every training range, not a holiday. */
const BASE = Object.freeze({
  date: '2012-06-05',
  temperature: 25.1,
  feelsLike: 28.4,
  humidity: 61,
  windSpeed: 11.2,
  weather: 'clear',
});
type Rec = Record<string, unknown>;
const rec = (patch: Rec = {}): Rec => ({ ...BASE, ...patch });
const without = (name: string): Rec => {
  const r = rec();
  delete r[name];
  return r;
};

let bike: Predictor;
let tiny: Predictor;
const tinyFixture = tinyBundle();

beforeAll(async () => {
  [bike, tiny] = await Promise.all([
    createPredictor(MANIFEST_PATH, { worker: false }),
    createPredictor(tinyFixture, { worker: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([bike?.dispose(), tiny?.dispose()]);
});

/** Awaits a call that must reject with a ValidationError and returns it, checking the error contract. */
async function validationError(call: Promise<unknown>): Promise<ValidationError> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected a ValidationError, got a result: ${JSON.stringify(value)?.slice(0, 300)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect(error).toBeInstanceOf(FeaturecastError);
  expect(error).toBeInstanceOf(Error);
  const v = error as ValidationError;
  expect(v.code).toBe('ERR_VALIDATION');
  expect(v.name).toBe('ValidationError');
  expect(Array.isArray(v.issues)).toBe(true);
  expect(v.issues.length).toBeGreaterThan(0);
  expect(v.details.issues).toBe(v.issues);
  for (const issue of v.issues) {
    expect(Object.keys(issue).sort()).toEqual(['index', 'kind', 'message', 'path', 'received']);
    expect(KINDS).toContain(issue.kind);
    expect(typeof issue.index).toBe('number');
    expect(typeof issue.path).toBe('string');
    expect(typeof issue.message).toBe('string');
    expect(issue.message.length).toBeGreaterThan(0);
  }
  // Issues must survive postMessage (the worker boundary) unchanged.
  expect(structuredClone(v.issues)).toEqual(v.issues);
  return v;
}

function expectPrediction(p: Prediction | RejectedRecord | undefined): asserts p is Prediction {
  expect(p).toBeDefined();
  expect(p).not.toHaveProperty('error');
  const r = (p as Prediction).rentals;
  expect(typeof r).toBe('number');
  expect(Number.isFinite(r)).toBe(true);
  expect(r as number).toBeGreaterThanOrEqual(0);
  expect(LABELS).toContain((p as Prediction).busyness);
}

function bandOf(rentals: number): string {
  const t = manifest.output.bands!.thresholds;
  let b = 0;
  while (b < t.length && rentals >= t[b]!) b++;
  return LABELS[b]!;
}

describe('the fixture record itself', () => {
  it('is valid, in range and predicts without warnings', async () => {
    const p = await bike.predict(rec());
    expectPrediction(p);
    expect(p.warnings).toBeUndefined();
    expect(p.busyness).toBe(bandOf(p.rentals as number));
  });
});

describe('missing required fields', () => {
  it.each(REQUIRED)('a record without "%s" is rejected naming that field', async (name) => {
    const e = await validationError(bike.predict(without(name)));
    expect(e.issues).toEqual([{ index: 0, path: name, kind: 'missing', message: expect.stringMatching(/required/i), received: 'undefined' }]);
    expect(e.message).toContain(`"${name}"`);
  });

  it.each(REQUIRED)('"%s": undefined counts as missing', async (name) => {
    const e = await validationError(bike.predict(rec({ [name]: undefined })));
    expect(e.issues).toEqual([expect.objectContaining({ index: 0, path: name, kind: 'missing', message: expect.stringMatching(/required/i) })]);
  });

  it('an empty object lists every required field, in schema order', async () => {
    const e = await validationError(bike.predict({}));
    expect(e.issues.map((i) => i.path)).toEqual(REQUIRED);
    expect(e.message).toMatch(/and 5 more issues/);
  });

  it('the optional holiday may be absent (then the US/DC calendar decides) or undefined', async () => {
    const absent = await bike.predict(rec());
    const undef = await bike.predict(rec({ holiday: undefined }));
    const explicit = await bike.predict(rec({ holiday: false })); // 2012-06-05 is not a holiday
    expectPrediction(absent);
    expect(undef).toEqual(absent);
    expect(explicit).toEqual(absent);
    // The override is actually used: declaring the day a holiday changes the answer.
    const holiday = await bike.predict(rec({ holiday: true }));
    expectPrediction(holiday);
    expect(holiday.rentals).not.toBe(absent.rentals);
  });
});

describe('wrong types', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['temperature', '25', /expected a number/],
    ['temperature', '', /expected a number/],
    ['feelsLike', true, /expected a number/],
    ['humidity', [61], /expected a number/],
    ['windSpeed', { value: 11 }, /expected a number/],
    ['windSpeed', 11n, /expected a number/],
    ['date', 20120605, /date/],
    ['date', 1338854400000, /date/],
    ['date', new Date('2012-06-05T00:00:00Z'), /date/],
    ['date', ['2012-06-05'], /date/],
    ['weather', true, /expected one of/],
    ['weather', { name: 'clear' }, /expected one of/],
    ['weather', ['clear'], /expected one of/],
    ['holiday', 'yes', /true or false/],
    ['holiday', 'true', /true or false/],
    ['holiday', 2, /true or false/],
    ['holiday', {}, /true or false/],
  ];
  it.each(cases)('%s = %o is rejected', async (name, value, message) => {
    const e = await validationError(bike.predict(rec({ [name]: value })));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ index: 0, path: name });
    expect(e.issues[0]!.message).toMatch(message);
  });

  it('received echoes primitives as sent and describes the rest', async () => {
    const e = await validationError(
      bike.predict(rec({ temperature: '25', feelsLike: true, humidity: [1, 2], windSpeed: { a: 1 }, date: 20120605 })),
    );
    const received = Object.fromEntries(e.issues.map((i) => [i.path, i.received]));
    expect(received).toEqual({ date: 20120605, temperature: '25', feelsLike: true, humidity: 'array(2)', windSpeed: 'object' });
  });
});

describe('NaN, Infinity, null and undefined for each field type', () => {
  const numberFields = ['temperature', 'feelsLike', 'humidity', 'windSpeed'];

  it.each(numberFields.flatMap((f) => [NaN, Infinity, -Infinity].map((v) => [f, v] as const)))(
    'number field %s = %s is rejected as not finite (never clipped)',
    async (name, value) => {
      const e = await validationError(bike.predict(rec({ [name]: value })));
      expect(e.issues).toEqual([{ index: 0, path: name, kind: 'type', message: expect.stringMatching(/finite/), received: value }]);
    },
  );

  it.each(numberFields)('number field %s = null is rejected, naming null', async (name) => {
    const e = await validationError(bike.predict(rec({ [name]: null })));
    expect(e.issues).toEqual([{ index: 0, path: name, kind: 'type', message: expect.stringMatching(/null/), received: null }]);
  });

  it.each([NaN, Infinity, -Infinity, null])('date = %s is rejected', async (value) => {
    const e = await validationError(bike.predict(rec({ date: value })));
    expect(e.issues).toEqual([{ index: 0, path: 'date', kind: 'type', message: expect.stringMatching(/date/), received: value }]);
  });

  it.each([NaN, Infinity, -Infinity])('category weather = %s is rejected with a message that names the value sent', async (value) => {
    const e = await validationError(bike.predict(rec({ weather: value })));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ index: 0, path: 'weather', received: value });
    const { message } = e.issues[0]!;
    for (const v of ALLOWED_WEATHER) expect(message).toContain(`"${v}"`);
    // The value the caller sent must be recognisable in the message, not rewritten as "null".
    expect(message).toContain(String(value));
    expect(message).not.toMatch(/unknown value null/);
  });

  it('category weather = null is rejected listing the allowed values', async () => {
    const e = await validationError(bike.predict(rec({ weather: null })));
    expect(e.issues).toEqual([{ index: 0, path: 'weather', kind: 'type', message: expect.stringMatching(/null/), received: null }]);
    for (const v of ALLOWED_WEATHER) expect(e.issues[0]!.message).toContain(`"${v}"`);
  });

  it.each([NaN, Infinity, -Infinity, null, 'true', 0.5])('boolean holiday = %s is rejected', async (value) => {
    const e = await validationError(bike.predict(rec({ holiday: value })));
    expect(e.issues).toEqual([{ index: 0, path: 'holiday', kind: 'type', message: expect.stringMatching(/true or false/), received: value }]);
  });

  it('boolean holiday accepts true/false and 1/0 (UCI style) alike', async () => {
    expect(await bike.predict(rec({ holiday: 1 }))).toEqual(await bike.predict(rec({ holiday: true })));
    expect(await bike.predict(rec({ holiday: 0 }))).toEqual(await bike.predict(rec({ holiday: false })));
  });
});

describe('invalid dates', () => {
  const bad = [
    '2012-02-30',
    '2012-13-01',
    '12/06/2012',
    '',
    '2011-02-29', // 2011 is not a leap year
    '1900-02-29', // century rule
    '2012-00-10',
    '2012-06-00',
    '2012-06-31',
    '2012-6-5',
    '2012-06-05T00:00:00Z',
    ' 2012-06-05',
    '2012-06-05 ',
    '2012/06/05',
    '20120605',
    '0999-06-05',
    '+02012-06-05',
    '２０１２-06-05', // full-width digits
    'yesterday',
  ];
  it.each(bad)('%j is rejected with the string echoed back', async (value) => {
    const e = await validationError(bike.predict(rec({ date: value })));
    expect(e.issues).toEqual([{ index: 0, path: 'date', kind: 'format', message: expect.stringMatching(/not a valid calendar date/), received: value }]);
    expect(e.issues[0]!.message).toContain(JSON.stringify(value).slice(1, -1));
  });

  it('a very long date string is truncated in the issue, not copied whole', async () => {
    const long = '2012-06-05'.repeat(100_000);
    const e = await validationError(bike.predict(rec({ date: long })));
    expect(e.issues[0]!.path).toBe('date');
    expect(String(e.issues[0]!.received).length).toBeLessThanOrEqual(101);
    expect(e.issues[0]!.message.length).toBeLessThan(300);
  });

  it('real leap days are accepted', async () => {
    expectPrediction(await bike.predict(rec({ date: '2012-02-29' })));
    const p = await bike.predict(rec({ date: '2000-02-29' }));
    expectPrediction(p);
    expect(p.warnings).toEqual([{ index: 0, field: 'date', kind: 'extrapolated', received: '2000-02-29' }]);
  });
});

describe('dates outside training: the date policy is `extrapolate`', () => {
  it('the manifest declares extrapolate for the date', () => {
    expect(manifest.inputs.find((f) => f.name === 'date')).toMatchObject({ outOfRange: 'extrapolate', range: { min: '2011-01-01', max: '2012-12-31' } });
  });

  it.each(['1900-06-01', '2100-06-01', '1000-01-01', '9999-12-31', '2010-12-31', '2013-01-01'])(
    '%s is predicted (finite, a band) and flagged extrapolated',
    async (date) => {
      const p = await bike.predict(rec({ date }));
      expectPrediction(p);
      expect(p.busyness).toBe(bandOf(p.rentals as number));
      expect(p.warnings).toEqual([{ index: 0, field: 'date', kind: 'extrapolated', received: date }]);
    },
  );

  it('the training range bounds themselves are not flagged', async () => {
    for (const date of ['2011-01-01', '2012-12-31']) {
      const p = await bike.predict(rec({ date }));
      expectPrediction(p);
      expect(p.warnings).toBeUndefined();
    }
  });

  it('the demand level stays at the nearest training year (pipeline + output stage)', () => {
    const reader = compileReader(manifest.inputs);
    const output = compileOutput(manifest.output, manifest.inputs);
    const level = (date: string): number => {
      const values: FieldValue[] = [];
      const warnings: Warning[] = [];
      expect(reader.read(rec({ date }), 0, values, [], warnings)).toBe(true);
      return output.levelOf(values);
    };
    const byYear = manifest.output.level!.byYear;
    expect(level('2100-06-01')).toBe(byYear['2012']);
    expect(level('2013-01-01')).toBe(byYear['2012']);
    expect(level('1900-06-01')).toBe(byYear['2011']);
    expect(level('2012-06-01')).toBe(byYear['2012']);
  });

  it('2096 (same calendar as 2012) predicts exactly like 2012: the level beyond training stays at 2012', async () => {
    const pipeline = compilePipeline(manifest.inputs, manifest.features);
    const rows = pipeline.encode([rec({ date: '2012-06-05' }), rec({ date: '2096-06-05' })]).matrix;
    // Same calendar features (day of year, weekday, season, holiday, working day) …
    expect(Array.from(rows.subarray(pipeline.width))).toEqual(Array.from(rows.subarray(0, pipeline.width)));
    // … hence the same answer, flagged.
    const inTraining = await bike.predict(rec({ date: '2012-06-05' }));
    const far = await bike.predict(rec({ date: '2096-06-05' }));
    expect(far.rentals).toBe(inTraining.rentals);
    expect(far.busyness).toBe(inTraining.busyness);
    expect(far.warnings).toEqual([{ index: 0, field: 'date', kind: 'extrapolated', received: '2096-06-05' }]);
  });

  it('1910 (same calendar as 2011) predicts exactly like 2011: the level before training stays at 2011', async () => {
    const inTraining = await bike.predict(rec({ date: '2011-06-07' }));
    const far = await bike.predict(rec({ date: '1910-06-07' }));
    expect(far.rentals).toBe(inTraining.rentals);
    expect(far.warnings).toEqual([{ index: 0, field: 'date', kind: 'extrapolated', received: '1910-06-07' }]);
  });

  it('2100-06-01 is finite, flagged, and sits at the 2012 level (not grown, not shrunk to 2011)', async () => {
    const p2100 = await bike.predict(rec({ date: '2100-06-01' }));
    expectPrediction(p2100);
    // Compare with the same weather on the same weekday, a few days apart in June 2012: within a
    // plausible summer range for the 2012 level, i.e. well above anything the 2011 level gives.
    const june2012 = await bike.predictBatch(['2012-06-01', '2012-06-04', '2012-06-05', '2012-06-06', '2012-06-07'].map((date) => rec({ date })));
    const lo = Math.min(...june2012.map((p) => p.rentals as number));
    const hi = Math.max(...june2012.map((p) => p.rentals as number));
    expect(p2100.rentals as number).toBeGreaterThan(lo * 0.8);
    expect(p2100.rentals as number).toBeLessThan(hi * 1.2);
  });
});

describe('out-of-range numbers, per policy, each flagged', () => {
  it('clip: temperature 205 °C answers like the training maximum and is flagged clipped', async () => {
    const { max } = rangeOf('temperature');
    const hot = await bike.predict(rec({ temperature: 205 }));
    const atMax = await bike.predict(rec({ temperature: max }));
    expectPrediction(hot);
    expect(hot.rentals).toBe(atMax.rentals);
    expect(hot.busyness).toBe(atMax.busyness);
    expect(hot.warnings).toEqual([{ index: 0, field: 'temperature', kind: 'clipped', received: 205 }]);
    expect(atMax.warnings).toBeUndefined();
  });

  const clipped: Array<[string, number, 'min' | 'max']> = [
    ['temperature', -273.15, 'min'],
    ['temperature', Number.MAX_VALUE, 'max'],
    ['temperature', -Number.MAX_VALUE, 'min'],
    ['feelsLike', 80, 'max'],
    ['feelsLike', -40, 'min'],
    ['humidity', 150, 'max'],
    ['humidity', -5, 'min'],
    ['humidity', 97.2500001, 'max'],
    ['windSpeed', 1e6, 'max'],
    ['windSpeed', -1, 'min'],
    ['windSpeed', 0, 'min'],
  ];
  it.each(clipped)('clip: %s = %s answers like the training %s, flagged', async (name, value, bound) => {
    const limit = rangeOf(name)[bound];
    const out = await bike.predict(rec({ [name]: value }));
    const atLimit = await bike.predict(rec({ [name]: limit }));
    expect(out.rentals).toBe(atLimit.rentals);
    expect(out.warnings).toEqual([{ index: 0, field: name, kind: 'clipped', received: value }]);
    expect(atLimit.warnings).toBeUndefined();
  });

  it('clip is what the pipeline writes: the clipped column equals the one at the bound', () => {
    const pipeline = compilePipeline(manifest.inputs, manifest.features);
    const col = pipeline.columns.indexOf('temperature');
    const { matrix, warnings } = pipeline.encode([rec({ temperature: 205 }), rec({ temperature: rangeOf('temperature').max })]);
    expect(matrix[col]).toBe(matrix[pipeline.width + col]);
    expect(warnings).toEqual([{ index: 0, field: 'temperature', kind: 'clipped', received: 205 }]);
  });

  it('several out-of-range fields in one record are each flagged', async () => {
    const p = await bike.predict(rec({ date: '2100-06-01', temperature: 205, humidity: -3 }));
    expectPrediction(p);
    expect(p.warnings).toEqual([
      { index: 0, field: 'date', kind: 'extrapolated', received: '2100-06-01' },
      { index: 0, field: 'temperature', kind: 'clipped', received: 205 },
      { index: 0, field: 'humidity', kind: 'clipped', received: -3 },
    ]);
  });

  it('warnings carry the batch index of their record', async () => {
    const out = await bike.predictBatch([rec(), rec({ windSpeed: 99 }), rec(), rec({ date: '2100-01-01' })]);
    expect(out[0]!.warnings).toBeUndefined();
    expect(out[1]!.warnings).toEqual([{ index: 1, field: 'windSpeed', kind: 'clipped', received: 99 }]);
    expect(out[2]!.warnings).toBeUndefined();
    expect(out[3]!.warnings).toEqual([{ index: 3, field: 'date', kind: 'extrapolated', received: '2100-01-01' }]);
  });

  describe('reject (tiny fixture: humidity)', () => {
    const humidity = () => {
      const f = tiny.info.inputs.find((i) => i.name === 'humidity')!;
      expect(f).toMatchObject({ type: 'number', outOfRange: 'reject' });
      return (f as { range: { min: number; max: number } }).range;
    };

    it.each([150, -1, 1e300])('humidity %s is rejected naming the training range', async (value) => {
      const { min, max } = humidity();
      const [base] = tinyRecords(1);
      const e = await validationError(tiny.predict({ ...base, humidity: value }));
      expect(e.issues).toEqual([{ index: 0, path: 'humidity', kind: 'out-of-range', message: expect.stringContaining(`${min}..${max}`), received: value }]);
      expect(e.issues[0]!.message).toMatch(/outside the training range/);
    });

    it('the range bounds are accepted, without warnings', async () => {
      const { min, max } = humidity();
      const [base] = tinyRecords(1);
      for (const value of [min, max]) {
        const p = await tiny.predict({ ...base, humidity: value });
        expect(Number.isFinite(p.value)).toBe(true);
        expect(p.warnings).toBeUndefined();
      }
    });

    it('in report mode the rejected record is reported and the clip/extrapolate ones are flagged', async () => {
      const [a, b, c] = tinyRecords(3);
      const out = await tiny.predictBatch([{ ...a, humidity: 500 }, { ...b, temperature: 500 }, { ...c, date: '2100-06-01' }], { invalid: 'report' });
      expect(out[0]).toEqual({ error: { code: 'ERR_VALIDATION', issues: [expect.objectContaining({ index: 0, path: 'humidity', received: 500 })] } });
      expect((out[1] as Prediction).warnings).toEqual([{ index: 1, field: 'temperature', kind: 'clipped', received: 500 }]);
      expect((out[2] as Prediction).warnings).toEqual([{ index: 2, field: 'date', kind: 'extrapolated', received: '2100-06-01' }]);
    });
  });
});

describe('categories', () => {
  it.each(['snow', 'Clear', 'CLEAR', ' clear', '', 'toString', '__proto__', 'constructor', 'hasOwnProperty'])(
    'unknown weather %j is rejected with the allowed values in the message',
    async (value) => {
      const e = await validationError(bike.predict(rec({ weather: value })));
      expect(e.issues).toEqual([{ index: 0, path: 'weather', kind: 'unknown-category', message: expect.stringMatching(/unknown value/), received: value }]);
      for (const v of ALLOWED_WEATHER) expect(e.issues[0]!.message).toContain(`"${v}"`);
      expect(e.message).toContain('field "weather"');
    },
  );

  it.each([1, 2, 3, 4])('UCI weathersit code %i (number and string) answers like its name', async (code) => {
    const named = await bike.predict(rec({ weather: ALLOWED_WEATHER[code - 1] }));
    expectPrediction(named);
    expect(await bike.predict(rec({ weather: code }))).toEqual(named);
    expect(await bike.predict(rec({ weather: String(code) }))).toEqual(named);
  });

  it('the weather category reaches the model: rain predicts fewer rentals than a clear day', async () => {
    const [clear, rain] = await bike.predictBatch([rec({ weather: 'clear' }), rec({ weather: 'light-precipitation' })]);
    expect(rain!.rentals as number).toBeLessThan(clear!.rentals as number);
  });

  it.each([0, 5, 1.5, -1, '01', '1.0', ' 1'])('code %j outside 1–4 is rejected', async (value) => {
    const e = await validationError(bike.predict(rec({ weather: value })));
    expect(e.issues).toEqual([expect.objectContaining({ index: 0, path: 'weather', received: value })]);
  });
});

describe('extra fields', () => {
  const extra = { colour: 'red', cnt: 5000, season: 3, nested: { deep: true } };

  it('are ignored by default: same answer as without them', async () => {
    const p = await bike.predict(rec(extra));
    expect(p).toEqual(await bike.predict(rec()));
    const batch = await bike.predictBatch([rec(extra), rec()]);
    expect(batch[0]).toEqual(batch[1]);
  });

  it('are rejected with { strict: true }, one issue per extra field', async () => {
    const e = await validationError(bike.predict(rec(extra), { strict: true }));
    expect(e.issues.map((i) => i.path)).toEqual(Object.keys(extra));
    for (const issue of e.issues) expect(issue).toMatchObject({ index: 0, message: expect.stringMatching(/unknown field/) });
    expect(e.issues.find((i) => i.path === 'cnt')!.received).toBe(5000);
  });

  it('strict mode accepts a record with only declared fields (including the optional one)', async () => {
    expectPrediction(await bike.predict(rec({ holiday: false }), { strict: true }));
  });

  it('strict mode applies to batches and to report mode', async () => {
    const records = [rec(), rec({ extra: 1 }), rec()];
    const e = await validationError(bike.predictBatch(records, { strict: true }));
    expect(e.issues).toEqual([expect.objectContaining({ index: 1, path: 'extra' })]);
    const out = await bike.predictBatch(records, { strict: true, invalid: 'report' });
    expectPrediction(out[0]);
    expect(out[1]).toEqual({ error: { code: 'ERR_VALIDATION', issues: [expect.objectContaining({ index: 1, path: 'extra' })] } });
    expectPrediction(out[2]);
  });
});

describe('prototype pollution and inherited values', () => {
  const hostile = `{
    "__proto__": { "polluted": "yes", "temperature": -40, "weather": "heavy-precipitation" },
    "constructor": { "prototype": { "polluted": "yes" } },
    "prototype": { "polluted": "yes" },
    "date": "2012-06-05", "temperature": 25.1, "feelsLike": 28.4, "humidity": 61, "windSpeed": 11.2, "weather": "clear"
  }`;

  function expectNoPollution(): void {
    expect(({} as Rec).polluted).toBeUndefined();
    expect((Object.prototype as Rec).polluted).toBeUndefined();
    expect((Object as unknown as Rec).polluted).toBeUndefined();
    expect((Function.prototype as unknown as Rec).polluted).toBeUndefined();
    expect((Array.prototype as unknown as Rec).polluted).toBeUndefined();
    expect(({} as Rec).temperature).toBeUndefined();
    expect(({} as Rec).weather).toBeUndefined();
  }

  it('JSON.parse really made own keys (the test is meaningful)', () => {
    const r = JSON.parse(hostile) as object;
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['__proto__', 'constructor', 'prototype']));
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
  });

  it('__proto__ / constructor / prototype keys are ignored: no pollution, same answer', async () => {
    const clean = await bike.predict(rec());
    const r = JSON.parse(hostile) as Rec;
    expect(await bike.predict(r)).toEqual(clean);
    const batch = await bike.predictBatch([r, JSON.parse(hostile), rec()], { invalid: 'report' });
    expect(batch).toEqual([clean, clean, clean]);
    expectNoPollution();
    // The record itself is left as it was.
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(r.polluted).toBeUndefined();
  });

  it('in strict mode those keys are refused as unknown fields, still without pollution', async () => {
    const e = await validationError(bike.predict(JSON.parse(hostile), { strict: true }));
    expect(e.issues.map((i) => i.path)).toEqual(['__proto__', 'constructor', 'prototype']);
    for (const i of e.issues) expect(i.received).toBe('object');
    expectNoPollution();
  });

  it('a required field that only sits on the prototype counts as missing', async () => {
    const r = Object.create({ temperature: 20 }) as Rec;
    Object.assign(r, without('temperature'));
    expect(r.temperature).toBe(20); // reachable by property access …
    const e = await validationError(bike.predict(r)); // … but not an own field
    expect(e.issues).toEqual([{ index: 0, path: 'temperature', kind: 'missing', message: expect.stringMatching(/required/), received: 'undefined' }]);
  });

  it('a record whose every field is inherited is missing every required field', async () => {
    const e = await validationError(bike.predict(Object.create(rec())));
    expect(e.issues.map((i) => i.path)).toEqual(REQUIRED);
  });

  it('an inherited optional field is not used either', async () => {
    const r = Object.assign(Object.create({ holiday: true }) as Rec, rec());
    expect(await bike.predict(r)).toEqual(await bike.predict(rec()));
  });

  it('a polluted Object.prototype never supplies a field value', async () => {
    const proto = Object.prototype as Rec;
    try {
      proto.temperature = 20;
      proto.holiday = true;
      const e = await validationError(bike.predict(without('temperature')));
      expect(e.issues).toEqual([expect.objectContaining({ index: 0, path: 'temperature' })]);
      const p = await bike.predict(rec());
      delete proto.holiday;
      expect(p).toEqual(await bike.predict(rec()));
    } finally {
      delete proto.temperature;
      delete proto.holiday;
    }
    expectNoPollution();
  });

  it('null-prototype records are fine', async () => {
    const r = Object.assign(Object.create(null) as Rec, rec());
    expect(await bike.predict(r)).toEqual(await bike.predict(rec()));
  });
});

describe('non-object records', () => {
  const values: Array<[string, unknown]> = [
    ['a string', 'date=2012-06-05'],
    ['a number', 42],
    ['an array', Object.values(BASE)],
    ['an empty array', []],
    ['null', null],
    ['undefined', undefined],
    ['a boolean', true],
    ['a bigint', 7n],
    ['a symbol', Symbol('record')],
    ['a function', () => BASE],
  ];
  it.each(values)('predict(%s) → ValidationError with path ""', async (_, value) => {
    const e = await validationError(bike.predict(value));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ index: 0, path: '', kind: 'record', message: expect.stringMatching(/expected a record object/) });
  });

  it('in a batch, each non-object is listed at its index', async () => {
    const records = [rec(), 'x', rec(), null, 5, [rec()], undefined, rec()];
    const e = await validationError(bike.predictBatch(records));
    expect(e.issues.map((i) => [i.index, i.path, i.received])).toEqual([
      [1, '', 'x'],
      [3, '', null],
      [4, '', 5],
      [5, '', 'array(1)'],
      [6, '', 'undefined'],
    ]);
  });

  it('holes in a sparse batch are non-object records, not crashes', async () => {
    const records = new Array<unknown>(5);
    records[0] = rec();
    records[4] = rec();
    const out = await bike.predictBatch(records, { invalid: 'report' });
    expect(out).toHaveLength(5);
    expectPrediction(out[0]);
    expectPrediction(out[4]);
    for (const i of [1, 2, 3]) expect(out[i]).toEqual({ error: { code: 'ERR_VALIDATION', issues: [expect.objectContaining({ index: i, path: '' })] } });
  });
});

describe('non-array batches', () => {
  const batches: Array<[string, unknown]> = [
    ['a string', 'records'],
    ['a record', rec()],
    ['null', null],
    ['undefined', undefined],
    ['a number', 3],
    ['an array-like', { length: 1, 0: rec() }],
    ['a Set', new Set([rec()])],
    ['a typed array', new Float32Array(3)],
  ];
  it.each(batches)('predictBatch(%s) → ValidationError', async (_, value) => {
    const e = await validationError(bike.predictBatch(value as unknown[]));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ path: '', message: expect.stringMatching(/array/) });
  });

  it('… also in report mode (which cannot report per record without records)', async () => {
    await validationError(bike.predictBatch('nope' as unknown as unknown[], { invalid: 'report' }));
  });
});

describe('batches', () => {
  it('an empty batch returns [] (both modes)', async () => {
    expect(await bike.predictBatch([])).toEqual([]);
    expect(await bike.predictBatch([], { invalid: 'report' })).toEqual([]);
    expect(await bike.predictBatch([], { strict: true })).toEqual([]);
  });

  it('predict answers exactly like the same record in a batch', async () => {
    const records = [rec(), rec({ weather: 'mist', temperature: 12 }), rec({ date: '2011-12-24', humidity: 90 })];
    const batch = await bike.predictBatch(records);
    for (let i = 0; i < records.length; i++) expect(await bike.predict(records[i])).toEqual(batch[i]);
  });

  it('a ValidationError lists EVERY bad record of a large batch, across 8192/16384 chunk boundaries', async () => {
    const n = 20_000;
    const records: unknown[] = Array.from({ length: n }, (_, i) => rec({ temperature: 5 + (i % 250) / 10 }));
    const bad: Record<number, [unknown, Array<[string, unknown]>]> = {
      0: [null, [['', null]]],
      1: [rec({ temperature: '25' }), [['temperature', '25']]],
      8191: [rec({ date: '2012-02-30' }), [['date', '2012-02-30']]],
      8192: [rec({ weather: 'snow', humidity: NaN }), [['humidity', NaN], ['weather', 'snow']]],
      8193: [without('windSpeed'), [['windSpeed', 'undefined']]],
      12_345: ['not a record', [['', 'not a record']]],
      16_383: [rec({ feelsLike: Infinity }), [['feelsLike', Infinity]]],
      16_384: [rec({ holiday: 'no' }), [['holiday', 'no']]],
      16_385: [{}, REQUIRED.map((f) => [f, 'undefined'] as [string, unknown])],
      19_999: [rec({ date: 20120605 }), [['date', 20120605]]],
    };
    for (const [i, [r]] of Object.entries(bad)) records[Number(i)] = r;
    // A clipped record after the chunk boundary: its warning must keep its own index.
    records[16_390] = rec({ temperature: 205 });
    const expected = Object.entries(bad).flatMap(([i, [, paths]]) =>
      paths.map(([path, received]) => ({ index: Number(i), path, kind: expect.any(String), message: expect.any(String), received })),
    );

    const e = await validationError(bike.predictBatch(records));
    expect(e.issues).toEqual(expected);
    expect(e.message).toMatch(/^Invalid input: record 0: /);
    expect(e.message).toContain(`and ${expected.length - 1} more issues`);

    // Report mode: the same issues, in place; every other record predicted, in order.
    const out = await bike.predictBatch(records, { invalid: 'report' });
    expect(out).toHaveLength(n);
    const reported = out.flatMap((p, i) => ('error' in p ? [i] : []));
    expect(reported).toEqual(Object.keys(bad).map(Number));
    expect(out.flatMap((p) => ('error' in p ? (p as RejectedRecord).error.issues : []))).toEqual(expected);
    for (const i of Object.keys(bad).map(Number)) expect((out[i] as RejectedRecord).error.code).toBe('ERR_VALIDATION');

    // Alignment: the valid records predict exactly as they do on their own batch.
    const validIdx = records.flatMap((_, i) => (i in bad ? [] : [i]));
    const alone = await bike.predictBatch(validIdx.map((i) => records[i]));
    const misaligned = validIdx.filter((i, k) => {
      const p = out[i] as Prediction;
      return p.rentals !== alone[k]!.rentals || p.busyness !== alone[k]!.busyness;
    });
    expect(misaligned).toEqual([]);
    expect((out[16_390] as Prediction).warnings).toEqual([{ index: 16_390, field: 'temperature', kind: 'clipped', received: 205 }]);
  });
});

describe("invalid: 'report'", () => {
  it('predicts the valid records and replaces each invalid one in place by { error: { code, issues } }', async () => {
    const records: unknown[] = [rec(), rec({ temperature: 'hot' }), rec({ weather: 2 }), 'junk', rec({ temperature: 205 }), {}];
    const out = await bike.predictBatch(records, { invalid: 'report' });
    expect(out).toHaveLength(records.length);
    expect(out[0]).toEqual(await bike.predict(rec()));
    expect(out[1]).toEqual({
      error: { code: 'ERR_VALIDATION', issues: [{ index: 1, path: 'temperature', kind: 'type', message: expect.stringMatching(/number/), received: 'hot' }] },
    });
    expect(out[2]).toEqual(await bike.predict(rec({ weather: 'mist' })));
    expect(out[3]).toEqual({ error: { code: 'ERR_VALIDATION', issues: [expect.objectContaining({ index: 3, path: '', received: 'junk' })] } });
    expect(out[4]).toEqual({ ...(await bike.predict(rec({ temperature: 205 }))), warnings: [{ index: 4, field: 'temperature', kind: 'clipped', received: 205 }] });
    const last = out[5] as RejectedRecord;
    expect(last.error.code).toBe('ERR_VALIDATION');
    expect(last.error.issues.map((i: ValidationIssue) => [i.index, i.path])).toEqual(REQUIRED.map((p) => [5, p]));
    // A rejected record carries no prediction fields.
    expect(Object.keys(out[1]!)).toEqual(['error']);
  });

  it('a batch where every record is invalid resolves with only errors', async () => {
    const out = await bike.predictBatch([null, {}, rec({ date: '' })], { invalid: 'report' });
    expect(out.every((p) => 'error' in p)).toBe(true);
    expect(out.map((p) => (p as RejectedRecord).error.issues[0]!.index)).toEqual([0, 1, 2]);
  });

  it('results are plain cloneable data (they may cross postMessage / JSON)', async () => {
    const out = await bike.predictBatch([rec({ humidity: 120 }), rec({ weather: 'snow' })], { invalid: 'report' });
    expect(structuredClone(out)).toEqual(out);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it("the pipeline's report mode zero-fills rejected rows and flags them", () => {
    const pipeline = compilePipeline(manifest.inputs, manifest.features);
    const encoded = pipeline.encode([rec(), rec({ temperature: NaN }), rec()], { invalid: 'report' });
    expect(Array.from(encoded.rejected!)).toEqual([0, 1, 0]);
    const row = (i: number) => Array.from(encoded.matrix.subarray(i * pipeline.width, (i + 1) * pipeline.width));
    expect(row(1).every((x) => x === 0)).toBe(true);
    expect(row(0)).toEqual(row(2));
    expect(row(0).every(Number.isFinite)).toBe(true);
    expect(encoded.issues).toEqual([expect.objectContaining({ index: 1, path: 'temperature' })]);
    // Reject mode throws one ValidationError with the same issues.
    expect(() => pipeline.encode([rec(), rec({ temperature: NaN })])).toThrow(ValidationError);
  });
});

describe('huge batches', () => {
  it('1,000,000 records: predicted inline (timed), or refused with a clear limit error', { timeout: 180_000 }, async () => {
    const n = 1_000_000;
    const weathers = ['clear', 'mist', 'light-precipitation', 1, 2, 3];
    const records = Array.from({ length: n }, (_, i) => ({
      date: `2012-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      temperature: 3 + (i % 320) / 10,
      feelsLike: 4 + (i % 380) / 10,
      humidity: 20 + (i % 77),
      windSpeed: 2 + (i % 300) / 10,
      weather: weathers[i % weathers.length],
    }));
    const t0 = performance.now();
    let out: Prediction[] | undefined;
    let refused: unknown;
    try {
      out = await bike.predictBatch(records);
    } catch (error) {
      refused = error;
    }
    const ms = performance.now() - t0;
    if (refused !== undefined) {
      console.log(`[validation] 1,000,000-record batch refused after ${ms.toFixed(0)} ms: ${String((refused as Error).message)}`);
      expect(refused).toBeInstanceOf(FeaturecastError);
      expect((refused as Error).message).toMatch(/limit|at most|maximum|too (many|large)/i);
      return;
    }
    console.log(
      `[validation] 1,000,000-record batch predicted inline in ${ms.toFixed(0)} ms ` +
        `(${((ms * 1000) / n).toFixed(2)} µs/record, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB)`,
    );
    expect(out).toHaveLength(n);
    let bad = 0;
    for (const p of out!) {
      const r = p.rentals as number;
      if (!(Number.isFinite(r) && r >= 0 && p.busyness === bandOf(r))) bad++;
    }
    expect(bad).toBe(0);
    // Spot checks: the answers are each record's own.
    for (const i of [0, 1, 16_383, 16_384, 500_000, n - 1]) {
      const single = await bike.predict(records[i]);
      expect(out![i]!.rentals).toBe(single.rentals);
    }
  });

  it('a batch far beyond any sane size is refused with a clear limit error (no RangeError, no crash)', async () => {
    // A sparse array costs nothing to make; the library must not try to allocate for its length.
    const error = await bike.predictBatch(new Array<unknown>(2 ** 32 - 1)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FeaturecastError);
    expect((error as FeaturecastError).code).toBe('ERR_VALIDATION');
    expect((error as Error).message).toMatch(/limit|at most|maximum|too (many|large)/i);
  });

  it(
    'a 5,000,000-slot sparse batch is refused, not an out-of-memory process crash (child process, 128 MB heap)',
    { timeout: 120_000 },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'featurecast-oom-'));
      const script = join(dir, 'huge.mts');
      const indexUrl = new URL('../../src/index.ts', import.meta.url).href;
      writeFileSync(
        script,
        `import { createPredictor } from ${JSON.stringify(indexUrl)};
const p = await createPredictor(${JSON.stringify(join(repoRoot, MANIFEST_PATH))}, { worker: false });
try {
  const out = await p.predictBatch(new Array(5_000_000));
  console.log(JSON.stringify({ resolved: out.length }));
} catch (e) {
  console.log(JSON.stringify({ name: e?.name, code: e?.code, message: String(e?.message).slice(0, 300) }));
}
await p.dispose();
`,
      );
      try {
        const child = spawnSync(process.execPath, ['--max-old-space-size=128', '--import', 'tsx', script], {
          cwd: repoRoot,
          encoding: 'utf8',
          timeout: 110_000,
          maxBuffer: 16 * 1024 * 1024,
        });
        const tail = `${child.stdout}\n${child.stderr}`.slice(-1500);
        expect(child.status, `child exited with ${child.status} / ${child.signal}:\n${tail}`).toBe(0);
        const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { code?: string; message?: string };
        expect(result.code, tail).toBe('ERR_VALIDATION');
        expect(result.message).toMatch(/limit|at most|maximum|too (many|large)/i);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
