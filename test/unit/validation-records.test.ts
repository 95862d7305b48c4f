import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Predictor } from '../../src/index.js';
import {
  BASE,
  REQUIRED,
  createBikePredictor,
  expectPrediction,
  rec,
  validationError,
  without,
  type Rec,
} from '../fixtures/bike-validation.js';

/**
 * Issue 6, the record as a whole: extra fields (ignored, or refused in strict mode), prototype
 * pollution and inherited values, non-object records and non-array batches.
 * The base record and the error-contract checks live in test/fixtures/bike-validation.ts.
 */

let bike: Predictor;
beforeAll(async () => {
  bike = await createBikePredictor();
});
afterAll(() => bike?.dispose());

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
    expect(e.issues).toEqual([
      { index: 0, path: 'temperature', kind: 'missing', message: expect.stringMatching(/required/), received: 'undefined' },
    ]);
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
    for (const i of [1, 2, 3])
      expect(out[i]).toEqual({ error: { code: 'ERR_VALIDATION', issues: [expect.objectContaining({ index: i, path: '' })] } });
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
