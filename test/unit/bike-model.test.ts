import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPredictor } from '../../src/index.js';
import { compilePipeline } from '../../src/features/pipeline.js';
import { scoreRegression } from '../../src/build/metrics.js';
import { predictEnsemble } from '../../src/build/gbdt.js';
import { manifestSchema } from '../../src/schema/manifest.js';
import { fitOn } from '../../models/bike-daily/build.js';
import { readDayCsv } from '../../models/bike-daily/data.js';
import { uciToRecord } from '../../models/bike-daily/uci.js';

const days = readDayCsv();
const dir = new URL('../../models/bike-daily/', import.meta.url);
const shippedModel = readFileSync(new URL('model.onnx', dir));
const shippedManifest = manifestSchema.parse(JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')));
const trained = await fitOn(days, { createdAt: shippedManifest.createdAt, split: shippedManifest.training.split });

describe('bike-daily, built with the public build side (models/bike-daily/build.ts)', () => {
  it('retraining with the same seed reproduces the committed model.onnx byte for byte, and the manifest but for its metrics', () => {
    expect(Buffer.from(trained.bundle.model).equals(shippedModel)).toBe(true);
    const { metrics: _m, ...rebuilt } = trained.bundle.manifest;
    const { metrics: _s, ...shipped } = shippedManifest;
    expect(JSON.parse(JSON.stringify(rebuilt))).toEqual(shipped);
  });

  it('the exported ONNX model, run through predictBatch, equals the trainer in memory for all 731 days', async () => {
    const predictor = await createPredictor('models/bike-daily/manifest.json', { worker: false });
    const out = await predictor.predictBatch(days.map(uciToRecord));
    await predictor.dispose();
    const pipeline = compilePipeline(shippedManifest.inputs, shippedManifest.features);
    const { matrix } = pipeline.encode(days.map(uciToRecord));
    const w = pipeline.width;
    let worst = 0;
    days.forEach((d, i) => {
      const level = trained.levelByYear![d.dteday.slice(0, 4)]!;
      const expected = Math.exp(predictEnsemble(trained.ensemble, matrix.subarray(i * w, i * w + w))) * level;
      worst = Math.max(worst, Math.abs((out[i]!.rentals as number) - expected) / expected);
    });
    // float32 sums over 300 trees in ORT vs float64 in the trainer.
    expect(worst).toBeLessThan(1e-5);
  });

  it('the model derives the UCI calendar columns from the date alone', () => {
    const pipeline = compilePipeline(shippedManifest.inputs, shippedManifest.features);
    const { matrix } = pipeline.encode(days.map(uciToRecord));
    const col = (name: string) => pipeline.columns.indexOf(name);
    const w = pipeline.width;
    days.forEach((d, i) => {
      const row = matrix.subarray(i * w, i * w + w);
      expect([row[col('date.season')], row[col('date.weekday')], row[col('date.holiday')], row[col('date.workingDay')]]).toEqual([
        d.season,
        d.weekday,
        d.holiday,
        d.workingday,
      ]);
    });
  });

  it('the committed bundle is consistent: sha256, size budget, holdout metrics equal holdout.csv', () => {
    expect(createHash('sha256').update(shippedModel).digest('hex')).toBe(shippedManifest.model.sha256);
    expect(shippedModel.byteLength).toBe(shippedManifest.model.bytes);
    expect(shippedModel.byteLength).toBeLessThanOrEqual(200 * 1024);
    const rows = readFileSync(new URL('holdout.csv', dir), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    expect(rows).toHaveLength(122);
    expect(rows[0]![0]).toBe('2012-09-01');
    const s = scoreRegression(
      rows.map((r) => Number(r[1])),
      rows.map((r) => Number(r[2])),
    );
    const h = shippedManifest.metrics!.holdout!;
    expect(h.mae).toBeCloseTo(s.mae, 0);
    expect(h.rmse).toBeCloseTo(s.rmse, 0);
    expect(h.r2).toBeCloseTo(s.r2, 3);
    expect(h.bias).toBeCloseTo(s.bias, 0);
  });

  it('the build script imports only the public entries, never src/', () => {
    const source = readFileSync(new URL('build.ts', dir), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports.filter((i) => i!.includes('src/'))).toEqual([]);
    expect(imports).toContain('featurecast/build');
  });

  it('loads with one import in Node, from the package entry', async () => {
    const { bikeDaily } = await import('featurecast/bike-daily');
    const predictor = await createPredictor(bikeDaily);
    const p = await predictor.predict({
      date: '2012-06-01',
      temperature: 24.5,
      feelsLike: 27,
      humidity: 60,
      windSpeed: 12,
      weather: 'clear',
    });
    expect(p.rentals).toBeGreaterThan(3000);
    expect(['quiet', 'normal', 'busy', 'very busy']).toContain(p.busyness);
    await predictor.dispose();
  });
});
