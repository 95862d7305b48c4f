import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createPredictor } from '../../src/index.js';
import { compilePipeline } from '../../src/features/pipeline.js';
import { predictEnsemble } from '../../src/build/gbdt.js';
import { manifestSchema } from '../../src/schema/manifest.js';
import { fitOn } from '../../models/bike-hourly/build.js';
import { readHourCsv } from '../../models/bike-hourly/data.js';
import { scoreHours } from '../../models/bike-hourly/evaluate.js';
import { uciHourToRecord } from '../../models/bike-hourly/uci.js';

const hours = readHourCsv();
const records = hours.map(uciHourToRecord);
const dir = new URL('../../models/bike-hourly/', import.meta.url);
const shippedModel = readFileSync(new URL('model.onnx', dir));
const shippedManifest = manifestSchema.parse(JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')));
// One retraining (17,379 hours, 300 trees × 4 backfitting rounds) serves the first two tests.
const trained = await fitOn(hours, { createdAt: shippedManifest.createdAt, split: shippedManifest.training.split });

describe('bike-hourly, built with the public build side (models/bike-hourly/build.ts)', () => {
  it('retraining with the same seed reproduces the committed model.onnx byte for byte, and the manifest but for its metrics', () => {
    expect(Buffer.from(trained.bundle.model).equals(shippedModel)).toBe(true);
    const { metrics: _m, ...rebuilt } = trained.bundle.manifest;
    const { metrics: _s, ...shipped } = shippedManifest;
    expect(JSON.parse(JSON.stringify(rebuilt))).toEqual(shipped);
  });

  it('the exported ONNX model, run through predictBatch, equals the trainer in memory for all 17,379 hours', async () => {
    expect(hours).toHaveLength(17_379);
    const predictor = await createPredictor('models/bike-hourly/manifest.json', { worker: false });
    const out = await predictor.predictBatch(records);
    await predictor.dispose();
    const pipeline = compilePipeline(shippedManifest.inputs, shippedManifest.features);
    const { matrix } = pipeline.encode(records);
    const w = pipeline.width;
    let worst = 0;
    hours.forEach((h, i) => {
      const level = trained.levelByYear![h.dteday.slice(0, 4)]!;
      const expected = Math.exp(predictEnsemble(trained.ensemble, matrix.subarray(i * w, i * w + w))) * level;
      worst = Math.max(worst, Math.abs((out[i]!.rentals as number) - expected) / expected);
    });
    // float32 sums over 300 trees in ORT vs float64 in the trainer.
    expect(worst).toBeLessThan(1e-5);
  });

  it('the model derives the UCI calendar columns (hour, weekday, holiday, working day) from the time alone', () => {
    const pipeline = compilePipeline(shippedManifest.inputs, shippedManifest.features);
    const { matrix } = pipeline.encode(records);
    const col = (name: string) => pipeline.columns.indexOf(name);
    const w = pipeline.width;
    const wrong = hours.filter((h, i) => {
      const row = matrix.subarray(i * w, i * w + w);
      return (
        [row[col('time.hour')], row[col('time.weekday')], row[col('time.holiday')], row[col('time.workingDay')]].join() !==
        [h.hr, h.weekday, h.holiday, h.workingday].join()
      );
    });
    expect(wrong).toEqual([]);
  });

  it('the committed bundle is consistent: sha256, size budgets, holdout metrics equal holdout.csv', () => {
    expect(createHash('sha256').update(shippedModel).digest('hex')).toBe(shippedManifest.model.sha256);
    expect(shippedModel.byteLength).toBe(shippedManifest.model.bytes);
    expect(shippedModel.byteLength).toBeLessThanOrEqual(1024 * 1024);
    expect(brotliCompressSync(shippedModel, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength).toBeLessThanOrEqual(
      250 * 1024,
    );
    const rows = readFileSync(new URL('holdout.csv', dir), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('time,actual,predicted');
    const cells = rows.slice(1).map((l) => l.split(','));
    expect(cells).toHaveLength(2888);
    expect(cells[0]![0]).toBe('2012-09-01T00:00');
    const holdout = hours.filter((h) => h.dteday >= '2012-09-01');
    expect(cells.map((c) => Number(c[1]))).toEqual(holdout.map((h) => h.cnt));
    const s = scoreHours(
      holdout,
      cells.map((c) => Number(c[2])),
    );
    const m = shippedManifest.metrics!;
    for (const [mine, theirs] of [
      [s.hourly, m.holdout!],
      [s.daily, m.holdoutDaily!],
    ] as const) {
      expect(theirs.rows).toBe(mine.rows);
      expect(theirs.mae).toBeCloseTo(mine.mae, 0);
      expect(theirs.rmse).toBeCloseTo(mine.rmse, 0);
      expect(theirs.r2).toBeCloseTo(mine.r2, 3);
    }
    expect(m.holdoutDaily!.rows).toBe(122);
  });

  it('ships its typical weather per hour, listed in the manifest', () => {
    expect(shippedManifest.extras).toEqual({ typicalHourlyWeather: 'typical-hourly-weather.json' });
    const typical = JSON.parse(readFileSync(new URL('typical-hourly-weather.json', dir), 'utf8'));
    expect(typical.days).toHaveLength(53);
    for (const day of typical.days) {
      for (const key of ['temperature', 'feelsLike', 'humidity', 'windSpeed', 'weather']) expect(day[key]).toHaveLength(24);
    }
  });

  it("the build script and its helpers import only the public entries and the models' own files, never src/", () => {
    for (const file of ['build.ts', 'evaluate.ts', 'typical.ts', 'uci.ts', 'data.ts']) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
      expect(
        imports.filter((i) => !/^(node:|featurecast(\/build)?$|\.\/|\.\.\/bike-daily\/)/.test(i)),
        file,
      ).toEqual([]);
    }
    expect(readFileSync(new URL('build.ts', dir), 'utf8')).toContain("from 'featurecast/build'");
  });

  it('loads with one import in Node, from the package entry; a UCI weathersit code is accepted', async () => {
    const { bikeHourly } = await import('featurecast/bike-hourly');
    const predictor = await createPredictor(bikeHourly);
    const commute = await predictor.predict({
      time: '2012-06-05T08:00',
      temperature: 22,
      feelsLike: 25,
      humidity: 60,
      windSpeed: 10,
      weather: 'clear',
    });
    const night = await predictor.predict({
      time: '2012-06-05T03:00',
      temperature: 18,
      feelsLike: 21,
      humidity: 80,
      windSpeed: 5,
      weather: 1,
    });
    expect(commute.rentals).toBeGreaterThan(300);
    expect(night.rentals).toBeLessThan(30);
    expect(commute.busyness).toBe('very busy');
    expect(night.busyness).toBe('quiet');
    await predictor.dispose();
  });
});
