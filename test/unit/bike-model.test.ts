import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPredictor } from '../../src/index.js';
import { manifestSchema } from '../../src/schema/manifest.js';
import { assembleBundle } from '../../src/training/assemble.js';
import { bikeManifestMeta, fitBike, score } from '../../src/training/bike-model.js';
import { predictEnsemble } from '../../src/training/gbdt.js';
import { uciToRecord } from '../../src/schema/uci.js';
import { readDayCsv } from '../../src/training/uci.js';

const days = readDayCsv();
const dir = new URL('../../models/bike-daily/', import.meta.url);
const shippedModel = readFileSync(new URL('model.onnx', dir));
const shippedManifest = manifestSchema.parse(JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')));
const fit = fitBike(days);

describe('bike-daily training', () => {
  it('retraining with the same seed reproduces the committed model.onnx byte for byte', () => {
    const meta = bikeManifestMeta(fit, days, { createdAt: shippedManifest.createdAt, split: shippedManifest.training.split, metrics: {} });
    const { model } = assembleBundle(fit.trained, meta);
    expect(Buffer.from(model).equals(shippedModel)).toBe(true);
  });

  it('the exported ONNX model, run through predictBatch, equals the trainer in memory for all 731 days', async () => {
    const predictor = await createPredictor('models/bike-daily/manifest.json', { worker: false });
    const out = await predictor.predictBatch(days.map(uciToRecord));
    await predictor.dispose();
    const { matrix, pipeline, ensemble } = fit.trained;
    const w = pipeline.width;
    let worst = 0;
    days.forEach((d, i) => {
      const level = Math.exp(fit.logLevel.get(Number(d.dteday.slice(0, 4)))!);
      const expected = Math.exp(predictEnsemble(ensemble, matrix.subarray(i * w, i * w + w))) * level;
      worst = Math.max(worst, Math.abs((out[i]!.rentals as number) - expected) / expected);
    });
    // float32 sums over 300 trees in ORT vs float64 in the trainer.
    expect(worst).toBeLessThan(1e-5);
  });

  it('the model derives the UCI calendar columns from the date alone', () => {
    const { matrix, pipeline } = fit.trained;
    const col = (name: string) => pipeline.columns.indexOf(name);
    const w = pipeline.width;
    days.forEach((d, i) => {
      const row = matrix.subarray(i * w, i * w + w);
      expect([row[col('date.season')], row[col('date.weekday')], row[col('date.holiday')], row[col('date.workingDay')]]).toEqual([
        d.season, d.weekday, d.holiday, d.workingday,
      ]);
    });
  });

  it('the committed bundle is consistent: sha256, size budget, holdout metrics equal holdout.csv', () => {
    expect(createHash('sha256').update(shippedModel).digest('hex')).toBe(shippedManifest.model.sha256);
    expect(shippedModel.byteLength).toBe(shippedManifest.model.bytes);
    expect(shippedModel.byteLength).toBeLessThanOrEqual(200 * 1024);
    const rows = readFileSync(new URL('holdout.csv', dir), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(122);
    expect(rows[0]![0]).toBe('2012-09-01');
    const s = score(rows.map((r) => Number(r[1])), rows.map((r) => Number(r[2])));
    const h = shippedManifest.metrics!.holdout!;
    expect(h.mae).toBeCloseTo(s.mae, 0);
    expect(h.rmse).toBeCloseTo(s.rmse, 0);
    expect(h.r2).toBeCloseTo(s.r2, 3);
    expect(h.bias).toBeCloseTo(s.bias, 0);
  });

  it('loads with one import in Node, from the package entry', async () => {
    const { bikeDaily } = await import('../../models/bike-daily/index.js');
    const predictor = await createPredictor(bikeDaily);
    const p = await predictor.predict({ date: '2012-06-01', temperature: 24.5, feelsLike: 27, humidity: 60, windSpeed: 12, weather: 'clear' });
    expect(p.rentals).toBeGreaterThan(3000);
    expect(['quiet', 'normal', 'busy', 'very busy']).toContain(p.busyness);
    await predictor.dispose();
  });
});
