import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prediction, Predictor, RejectedRecord } from '../../src/index.js';
import { compilePipeline } from '../../src/features/pipeline.js';
import { createBikePredictor, expectPrediction, manifest, rangeOf, rec, validOf, validationError } from '../fixtures/bike-validation.js';

/**
 * Issue 19, plausibility bounds on the real bike bundle: a value outside an input's `valid`
 * bounds is refused as `implausible` with the unit and the likely mistake in the message, whatever
 * the training-range policy (clip for weather, extrapolate for the date) would have done with it.
 */

let bike: Predictor;
beforeAll(async () => {
  bike = await createBikePredictor();
});
afterAll(() => bike?.dispose());

describe('the bundle declares plausibility bounds', () => {
  it('temperature and feelsLike −60…60 °C, humidity 0…100 %, wind 0…200 km/h, date 2000-01-01…2100-12-31', () => {
    expect(manifest.version).toBe('1.1.0');
    expect(validOf('temperature')).toEqual({ min: -60, max: 60 });
    expect(validOf('feelsLike')).toEqual({ min: -60, max: 60 });
    expect(validOf('humidity')).toEqual({ min: 0, max: 100 });
    expect(validOf('windSpeed')).toEqual({ min: 0, max: 200 });
    expect(validOf('date')).toEqual({ min: '2000-01-01', max: '2100-12-31' });
  });

  it('every training range lies inside its plausibility bounds', () => {
    for (const name of ['temperature', 'feelsLike', 'humidity', 'windSpeed']) {
      const { min, max } = rangeOf(name);
      const valid = validOf(name) as { min: number; max: number };
      expect(min, name).toBeGreaterThanOrEqual(valid.min);
      expect(max, name).toBeLessThanOrEqual(valid.max);
    }
  });
});

describe('implausible values are refused, naming the field, the unit and the likely mistake', () => {
  // [field, value, the whole message]: the unit follows the value and the bounds; a temperature
  // that a Fahrenheit or Kelvin reading explains says so.
  const cases: Array<[string, number | string, string]> = [
    ['temperature', 205, '205 °C is outside the possible -60…60 °C — Fahrenheit or Kelvin?'],
    ['temperature', 290, '290 °C is outside the possible -60…60 °C — Kelvin?'],
    ['temperature', 100, '100 °C is outside the possible -60…60 °C — Fahrenheit?'],
    ['temperature', -80, '-80 °C is outside the possible -60…60 °C'],
    ['temperature', -273.15, '-273.15 °C is outside the possible -60…60 °C'],
    ['temperature', Number.MAX_VALUE, `${Number.MAX_VALUE} °C is outside the possible -60…60 °C — Fahrenheit or Kelvin?`],
    ['feelsLike', 300, '300 °C is outside the possible -60…60 °C — Kelvin?'],
    ['feelsLike', 60.5, '60.5 °C is outside the possible -60…60 °C — Fahrenheit?'],
    ['humidity', 250, '250 % is outside the possible 0…100 %'],
    ['humidity', -5, '-5 % is outside the possible 0…100 %'],
    ['windSpeed', -3, '-3 km/h is outside the possible 0…200 km/h'],
    ['windSpeed', 1e6, '1000000 km/h is outside the possible 0…200 km/h'],
    ['windSpeed', 200.5, '200.5 km/h is outside the possible 0…200 km/h'],
    ['date', '9999-12-31', '9999-12-31 is outside the possible 2000-01-01…2100-12-31'],
    ['date', '1900-06-01', '1900-06-01 is outside the possible 2000-01-01…2100-12-31'],
    ['date', '1000-01-01', '1000-01-01 is outside the possible 2000-01-01…2100-12-31'],
    ['date', '1999-12-31', '1999-12-31 is outside the possible 2000-01-01…2100-12-31'],
    ['date', '2101-01-01', '2101-01-01 is outside the possible 2000-01-01…2100-12-31'],
  ];

  it.each(cases)('%s = %s is implausible', async (field, value, message) => {
    const e = await validationError(bike.predict(rec({ [field]: value })));
    expect(e.issues).toEqual([{ index: 0, path: field, kind: 'implausible', message, received: value }]);
    expect(e.message).toBe(`Invalid input: record 0, field "${field}": ${message}`);
  });

  it('the bounds themselves are possible: predicted, flagged only by the training-range policy', async () => {
    const at = async (field: string, value: number | string) => {
      const p = await bike.predict(rec({ [field]: value }));
      expectPrediction(p);
      return p.warnings?.map((w) => w.kind) ?? [];
    };
    expect(await at('temperature', -60)).toEqual(['clipped']);
    expect(await at('temperature', 60)).toEqual(['clipped']);
    expect(await at('feelsLike', 60)).toEqual(['clipped']);
    expect(await at('humidity', 0)).toEqual([]);
    expect(await at('humidity', 100)).toEqual(['clipped']);
    expect(await at('windSpeed', 0)).toEqual(['clipped']);
    expect(await at('windSpeed', 200)).toEqual(['clipped']);
    expect(await at('date', '2000-01-01')).toEqual(['extrapolated']);
    expect(await at('date', '2100-12-31')).toEqual(['extrapolated']);
  });

  it('humidity given as a fraction (0.61) is possible and not flagged: it is a unit mistake the bounds cannot see', async () => {
    const p = await bike.predict(rec({ humidity: 0.61 }));
    expectPrediction(p);
    expect(p.warnings).toBeUndefined();
  });

  it('type, finiteness and format come first: a bad value is never reported as implausible', async () => {
    const kind = async (patch: Record<string, unknown>) => (await validationError(bike.predict(rec(patch)))).issues.map((i) => i.kind);
    expect(await kind({ temperature: '205' })).toEqual(['type']);
    expect(await kind({ temperature: Infinity })).toEqual(['type']);
    expect(await kind({ humidity: NaN })).toEqual(['type']);
    expect(await kind({ date: '9999-02-30' })).toEqual(['format']);
    expect(await kind({ date: 99991231 })).toEqual(['type']);
  });

  it('several implausible fields in one record are each reported, in schema order', async () => {
    const e = await validationError(bike.predict(rec({ date: '1900-01-01', temperature: 205, humidity: 250, windSpeed: -3 })));
    expect(e.issues.map((i) => [i.path, i.kind])).toEqual([
      ['date', 'implausible'],
      ['temperature', 'implausible'],
      ['humidity', 'implausible'],
      ['windSpeed', 'implausible'],
    ]);
  });

  it('report mode replaces an implausible record in place and predicts the others, clipped ones flagged', async () => {
    const out = await bike.predictBatch([rec({ temperature: 45 }), rec({ temperature: 205 }), rec({ date: '2101-01-01' }), rec()], {
      invalid: 'report',
    });
    expect((out[0] as Prediction).warnings).toEqual([{ index: 0, field: 'temperature', kind: 'clipped', received: 45 }]);
    expect((out[1] as RejectedRecord).error.issues).toEqual([
      expect.objectContaining({ index: 1, path: 'temperature', kind: 'implausible' }),
    ]);
    expect((out[2] as RejectedRecord).error.issues).toEqual([expect.objectContaining({ index: 2, path: 'date', kind: 'implausible' })]);
    expectPrediction(out[3]);
  });

  it('the pipeline refuses implausible rows too: zero-filled and flagged in report mode', () => {
    const pipeline = compilePipeline(manifest.inputs, manifest.features);
    const encoded = pipeline.encode([rec(), rec({ windSpeed: 1e6 })], { invalid: 'report' });
    expect(Array.from(encoded.rejected!)).toEqual([0, 1]);
    expect(encoded.warnings).toEqual([]);
    expect(encoded.issues).toEqual([expect.objectContaining({ index: 1, path: 'windSpeed', kind: 'implausible' })]);
  });
});
