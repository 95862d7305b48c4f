import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Predictor } from '../../src/index.js';
import {
  ALLOWED_WEATHER,
  REQUIRED,
  bandOf,
  createBikePredictor,
  expectPrediction,
  rec,
  validationError,
  without,
} from '../fixtures/bike-validation.js';

/**
 * Issue 6, bad input, one field at a time: missing required fields, wrong types, NaN / Infinity /
 * null, malformed dates and unknown categories, each against the real bike bundle inline.
 * The base record and the error-contract checks live in test/fixtures/bike-validation.ts.
 */

let bike: Predictor;
beforeAll(async () => {
  bike = await createBikePredictor();
});
afterAll(() => bike?.dispose());

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
    expect(e.issues).toEqual([
      { index: 0, path: name, kind: 'missing', message: expect.stringMatching(/required/i), received: 'undefined' },
    ]);
    expect(e.message).toContain(`"${name}"`);
  });

  it.each(REQUIRED)('"%s": undefined counts as missing', async (name) => {
    const e = await validationError(bike.predict(rec({ [name]: undefined })));
    expect(e.issues).toEqual([
      expect.objectContaining({ index: 0, path: name, kind: 'missing', message: expect.stringMatching(/required/i) }),
    ]);
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
    expect(e.issues).toEqual([
      { index: 0, path: 'holiday', kind: 'type', message: expect.stringMatching(/true or false/), received: value },
    ]);
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
    expect(e.issues).toEqual([
      { index: 0, path: 'date', kind: 'format', message: expect.stringMatching(/not a valid calendar date/), received: value },
    ]);
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

describe('categories', () => {
  it.each(['snow', 'Clear', 'CLEAR', ' clear', '', 'toString', '__proto__', 'constructor', 'hasOwnProperty'])(
    'unknown weather %j is rejected with the allowed values in the message',
    async (value) => {
      const e = await validationError(bike.predict(rec({ weather: value })));
      expect(e.issues).toEqual([
        { index: 0, path: 'weather', kind: 'unknown-category', message: expect.stringMatching(/unknown value/), received: value },
      ]);
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
