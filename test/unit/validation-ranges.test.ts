import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prediction, Predictor } from '../../src/index.js';
import { compilePipeline } from '../../src/features/pipeline.js';
import { compileOutput } from '../../src/outputs/postprocess.js';
import { compileReader, type FieldValue, type Warning } from '../../src/schema/record.js';
import { tinyRecords } from '../fixtures/tiny-bundle.js';
import {
  bandOf,
  createBikePredictor,
  createTinyPredictor,
  expectPrediction,
  manifest,
  rangeOf,
  rec,
  validationError,
} from '../fixtures/bike-validation.js';

/**
 * Issue 6, values outside the training ranges, per policy: dates are extrapolated and numbers
 * clipped on the real bike bundle (checked down to the reader, pipeline and output stage); the
 * tiny fixture supplies the `reject` range policy (humidity). Issue 19: values outside the
 * bundle's plausibility bounds (`valid`) are rejected as implausible instead, so the policy
 * tests use values that are possible but outside training. Helpers: test/fixtures/bike-validation.ts.
 */

let bike: Predictor;
let tiny: Predictor;

beforeAll(async () => {
  [bike, tiny] = await Promise.all([createBikePredictor(), createTinyPredictor()]);
});
afterAll(async () => {
  await Promise.all([bike?.dispose(), tiny?.dispose()]);
});

describe('dates outside training: the date policy is `extrapolate`', () => {
  it('the manifest declares extrapolate for the date', () => {
    expect(manifest.inputs.find((f) => f.name === 'date')).toMatchObject({
      outOfRange: 'extrapolate',
      range: { min: '2011-01-01', max: '2012-12-31' },
      valid: { min: '2000-01-01', max: '2100-12-31' },
    });
  });

  // Possible but outside training, up to the plausibility bounds themselves.
  it.each(['2000-01-01', '2005-06-01', '2100-06-01', '2100-12-31', '2010-12-31', '2013-01-01'])(
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
    expect(level('2005-06-01')).toBe(byYear['2011']);
    expect(level('2000-01-01')).toBe(byYear['2011']);
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

  it('2005 (same calendar as 2011) predicts exactly like 2011: the level before training stays at 2011', async () => {
    const inTraining = await bike.predict(rec({ date: '2011-06-07' }));
    const far = await bike.predict(rec({ date: '2005-06-07' }));
    expect(far.rentals).toBe(inTraining.rentals);
    expect(far.warnings).toEqual([{ index: 0, field: 'date', kind: 'extrapolated', received: '2005-06-07' }]);
  });

  it('2100-06-01 is finite, flagged, and sits at the 2012 level (not grown, not shrunk to 2011)', async () => {
    const p2100 = await bike.predict(rec({ date: '2100-06-01' }));
    expectPrediction(p2100);
    // Compare with the same weather on the same weekday, a few days apart in June 2012: within a
    // plausible summer range for the 2012 level, i.e. well above anything the 2011 level gives.
    const june2012 = await bike.predictBatch(
      ['2012-06-01', '2012-06-04', '2012-06-05', '2012-06-06', '2012-06-07'].map((date) => rec({ date })),
    );
    const lo = Math.min(...june2012.map((p) => p.rentals as number));
    const hi = Math.max(...june2012.map((p) => p.rentals as number));
    expect(p2100.rentals as number).toBeGreaterThan(lo * 0.8);
    expect(p2100.rentals as number).toBeLessThan(hi * 1.2);
  });
});

describe('out-of-range numbers, per policy, each flagged', () => {
  it('clip: temperature 45 °C (possible, hotter than any training day) answers like the training maximum and is flagged clipped', async () => {
    const { max } = rangeOf('temperature');
    const hot = await bike.predict(rec({ temperature: 45 }));
    const atMax = await bike.predict(rec({ temperature: max }));
    expectPrediction(hot);
    expect(hot.rentals).toBe(atMax.rentals);
    expect(hot.busyness).toBe(atMax.busyness);
    expect(hot.warnings).toEqual([{ index: 0, field: 'temperature', kind: 'clipped', received: 45 }]);
    expect(atMax.warnings).toBeUndefined();
  });

  // Inside `valid` (the plausibility bounds included) but outside the training range.
  const clipped: Array<[string, number, 'min' | 'max']> = [
    ['temperature', -30, 'min'],
    ['temperature', 60, 'max'],
    ['temperature', -60, 'min'],
    ['feelsLike', 55, 'max'],
    ['feelsLike', -40, 'min'],
    ['humidity', 100, 'max'],
    ['humidity', 99, 'max'],
    ['humidity', 97.2500001, 'max'],
    ['windSpeed', 200, 'max'],
    ['windSpeed', 120, 'max'],
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
    const { matrix, warnings } = pipeline.encode([rec({ temperature: 45 }), rec({ temperature: rangeOf('temperature').max })]);
    expect(matrix[col]).toBe(matrix[pipeline.width + col]);
    expect(warnings).toEqual([{ index: 0, field: 'temperature', kind: 'clipped', received: 45 }]);
  });

  it('several out-of-range fields in one record are each flagged', async () => {
    const p = await bike.predict(rec({ date: '2100-06-01', temperature: 45, humidity: 99.5 }));
    expectPrediction(p);
    expect(p.warnings).toEqual([
      { index: 0, field: 'date', kind: 'extrapolated', received: '2100-06-01' },
      { index: 0, field: 'temperature', kind: 'clipped', received: 45 },
      { index: 0, field: 'humidity', kind: 'clipped', received: 99.5 },
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
      expect(e.issues).toEqual([
        { index: 0, path: 'humidity', kind: 'out-of-range', message: expect.stringContaining(`${min}..${max}`), received: value },
      ]);
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
      const out = await tiny.predictBatch(
        [
          { ...a, humidity: 500 },
          { ...b, temperature: 500 },
          { ...c, date: '2100-06-01' },
        ],
        { invalid: 'report' },
      );
      expect(out[0]).toEqual({
        error: { code: 'ERR_VALIDATION', issues: [expect.objectContaining({ index: 0, path: 'humidity', received: 500 })] },
      });
      expect((out[1] as Prediction).warnings).toEqual([{ index: 1, field: 'temperature', kind: 'clipped', received: 500 }]);
      expect((out[2] as Prediction).warnings).toEqual([{ index: 2, field: 'date', kind: 'extrapolated', received: '2100-06-01' }]);
    });
  });
});
