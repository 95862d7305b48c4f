import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundleModel, writeBundle } from '../../src/build/bundle.js';
import { checkBundle } from '../../src/build/check.js';
import { writeFeatures } from '../../src/build/features.js';
import { fitPipeline, parsePipeline, type FittedPipeline } from '../../src/build/fit.js';
import { predictEnsemble } from '../../src/build/gbdt.js';
import { trainModel } from '../../src/build/train.js';
import { compilePipeline } from '../../src/features/pipeline.js';
import { createPredictor } from '../../src/index.js';
import { manifestSchema } from '../../src/schema/manifest.js';
import { readDayCsv } from '../../models/bike-daily/data.js';
import { uciToRecord } from '../../models/bike-daily/uci.js';
import { CAFE_SPEC } from '../fixtures/cafe-spec.js';
import { validRecord } from '../fixtures/fuzz-arbitraries.js';

const dir = mkdtempSync(join(tmpdir(), 'featurecast-build-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const cafeRows = Array.from({ length: 120 }, (_, i) => {
  const date = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
  const weather = ['sun', 'cloud', 'rain'][i % 3]!;
  const temperature = 5 + (i % 17);
  return {
    date,
    temperature,
    weather,
    promo: i % 5 === 0,
    sales: 50 + 2 * temperature + (weather === 'sun' ? 20 : 0) + (i % 5 === 0 ? 30 : 0),
  };
});
const cafeCsv = [
  'date,temperature,weather,promo,sales',
  ...cafeRows.map((r) => `${r.date},${r.temperature},${r.weather},${r.promo},${r.sales}`),
].join('\n');

describe('fit', () => {
  it('fits the spec of the issue as written, from a CSV file, and records ranges, steps and reference statistics', async () => {
    const pipeline = await fitPipeline(CAFE_SPEC, file('cafe.csv', cafeCsv));
    expect(parsePipeline(JSON.parse(JSON.stringify(pipeline)))).toEqual(pipeline);
    expect(pipeline.columns).toEqual([
      'date.dayOfYear',
      'date.weekday',
      'date.month',
      'temperature',
      'weather=sun',
      'weather=cloud',
      'weather=rain',
      'promo',
    ]);
    expect(pipeline.inputs.find((f) => f.name === 'temperature')).toMatchObject({
      range: { min: 5, max: 21 },
      valid: { min: -60, max: 60 },
      outOfRange: 'clip',
    });
    expect(pipeline.inputs.find((f) => f.name === 'date')).toMatchObject({ range: { min: '2024-01-01', max: '2024-04-29' } });
    expect(pipeline.inputs.find((f) => f.name === 'promo')).toMatchObject({ required: false, missing: 'default', default: false });
    expect(pipeline.reference.fields.weather).toMatchObject({ values: ['sun', 'cloud', 'rain'], freq: [0.333333, 0.333333, 0.333333] });
    expect(pipeline.reference.monthsOf).toBe('date');
    expect(pipeline.training).toMatchObject({ dataset: 'cafe.csv', rows: 120, from: '2024-01-01', to: '2024-04-29' });
  });

  it('never skips a bad training row: every one is named by line, field and reason', async () => {
    const bad = cafeCsv.split('\n');
    bad[3] = '2024-01-03,hot,sun,false,60';
    bad[7] = '2024-02-30,12,snow,false,60';
    bad[9] = '2024-01-09,205,sun,false,60';
    const error = await fitPipeline(CAFE_SPEC, file('bad.csv', bad.join('\n'))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DATA', name: 'DataError' });
    const message = (error as Error).message;
    expect(message).toMatch(/^3 bad rows in bad\.csv/);
    expect(message).toContain('line 4, field "temperature": expected a number, got the string "hot"');
    expect(message).toContain('line 8, field "date"');
    expect(message).toContain('line 8, field "weather": unknown value "snow"');
    expect(message).toContain('line 10, field "temperature": 205 °C is outside the possible -60…60 °C — Fahrenheit or Kelvin?');
  });

  it('refuses an invalid spec with every problem and its path', async () => {
    const spec = {
      ...CAFE_SPEC,
      features: [{ step: 'standardise', input: 'temperature' }],
      inputs: [{ name: 'x', type: 'number', valid: { min: 0 } }],
    };
    const message = ((await fitPipeline(spec, cafeRows).catch((e: unknown) => e)) as Error).message;
    expect(message).toMatch(/^Invalid pipeline spec:/);
    expect(message).toContain('inputs.0.valid.max');
    expect(message).toContain('features.0');
  });
});

describe('features', () => {
  const days = readDayCsv();
  const bike = manifestSchema.parse(JSON.parse(readFileSync('models/bike-daily/manifest.json', 'utf8')));
  const pipeline = { inputs: bike.inputs, features: bike.features, columns: bike.model.columns } as FittedPipeline;

  /** The CSV `features` writes, read back as float32 rows. */
  const readBack = (path: string) =>
    readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',').map((cell) => Math.fround(cell === '' ? NaN : Number(cell))));

  const expectSameBits = (path: string, records: readonly object[]) => {
    const compiled = compilePipeline(pipeline.inputs, pipeline.features);
    const { matrix } = compiled.encode(records);
    const rows = readBack(path);
    expect(rows).toHaveLength(records.length);
    const got = new Float32Array(rows.flat());
    expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array(matrix.buffer));
  };

  it("equal the engine's own encoding bit for bit in float32, for all 731 bike days, with --keep columns after them", async () => {
    const records = days.map((d) => ({ ...uciToRecord(d), rentals: d.cnt }));
    const out = join(dir, 'bike-features.csv');
    expect(await writeFeatures(pipeline, records, out, { keep: ['rentals'] })).toBe(731);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(`${bike.model.columns.join(',')},rentals`);
    expect(lines.slice(1).map((l) => Number(l.split(',').at(-1)))).toEqual(days.map((d) => d.cnt));
    const csv = out.replace('.csv', '-only.csv');
    await writeFeatures(pipeline, records, csv);
    expectSameBits(csv, records);
  });

  it("equal the engine's encoding bit for bit on fuzzed records (property)", async () => {
    const plausible = validRecord.filter(
      (r) =>
        r.date >= '2000-01-01' &&
        r.date <= '2100-12-31' &&
        Math.abs(r.temperature) <= 60 &&
        Math.abs(r.feelsLike) <= 60 &&
        r.humidity >= 0 &&
        r.humidity <= 100 &&
        r.windSpeed >= 0 &&
        r.windSpeed <= 200,
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(plausible, { minLength: 1, maxLength: 40 }), async (records) => {
        const out = join(dir, `fuzz-${run++}.csv`);
        await writeFeatures(pipeline, records, out);
        expectSameBits(out, records);
      }),
      { numRuns: 60 },
    );
  });

  it('writes nothing when a row is bad, and names the row', async () => {
    const out = join(dir, 'never.csv');
    const records = days.slice(0, 3).map(uciToRecord);
    await expect(writeFeatures(pipeline, [...records, { ...records[0], humidity: 'wet' }], out)).rejects.toThrow(
      /line 4, field "humidity": expected a number, got the string "wet"/,
    );
    expect(() => readFileSync(out)).toThrow();
  });
});

describe('train, bundle and check', () => {
  it("a model trained elsewhere is bundled with proof of parity: the trainer's predictions equal the bundle's; a difference fails, naming the row", async () => {
    const pipeline = await fitPipeline(CAFE_SPEC, cafeRows);
    // Stands in for a model trained in another tool: its ONNX bytes and its own predictions.
    const trained = await trainModel(pipeline, cafeRows, { target: 'sales', params: { nTrees: 30 } });
    const { matrix } = compilePipeline(pipeline.inputs, pipeline.features).encode(cafeRows);
    const width = pipeline.columns.length;
    const own = cafeRows.map((_, i) => predictEnsemble(trained.ensemble, matrix.subarray(i * width, (i + 1) * width)));
    const expectCsv = file('expect.csv', `prediction\n${own.join('\n')}\n`);
    const bundle = await bundleModel(pipeline, trained.bundle.model, { check: cafeRows, expect: expectCsv });
    expect(bundle.parity!.rows).toBe(120);
    expect(bundle.parity!.worstRelativeDiff).toBeLessThan(1e-6);

    const off = [...own];
    off[41] = off[41]! + 1;
    await expect(bundleModel(pipeline, trained.bundle.model, { check: cafeRows, expect: off })).rejects.toThrow(
      /1 of 120 check values differ[\s\S]*line 42: library [\d.]+, expected [\d.]+/,
    );

    const out = join(dir, 'cafe-bundle');
    await writeBundle(out, bundle);
    const report = await checkBundle(out);
    expect(report.passed).toHaveLength(4);
    const predictor = await createPredictor(join(out, 'manifest.json'), { worker: false });
    const p = await predictor.predict(cafeRows[31]);
    expect(p.sales).toBeCloseTo(own[31]!, 3);
    await predictor.dispose();
  });

  it("refuses a model whose input does not take the pipeline's columns, naming both", async () => {
    const pipeline = await fitPipeline(CAFE_SPEC, cafeRows);
    const bikeModel = new Uint8Array(readFileSync('models/bike-daily/model.onnx'));
    await expect(bundleModel(pipeline, bikeModel)).rejects.toThrow(
      /Model input "features" has shape \[N, 10\], but the pipeline writes 8 columns per row: \[N, 8\] of date\.dayOfYear, date\.weekday/,
    );
  });

  it('check fails a bundle whose model does not match its sha256', async () => {
    const out = join(dir, 'tampered');
    const bike = JSON.parse(readFileSync('models/bike-daily/manifest.json', 'utf8'));
    const model = new Uint8Array(readFileSync('models/bike-daily/model.onnx'));
    model[model.length - 1]! ^= 1;
    await writeBundle(out, { manifest: bike, model });
    await expect(checkBundle(out)).rejects.toMatchObject({ code: 'ERR_BUNDLE_INTEGRITY' });
  });
});
