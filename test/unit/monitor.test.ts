import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPredictor, type Predictor, type ValidationError } from '../../src/index.js';
import { psi, binOf, statusOf } from '../../src/monitor/drift.js';
import { levelScaleFrom } from '../../src/monitor/accuracy.js';
import { uciToRecord } from '../../models/bike-daily/uci.js';
import { scoreRegression as score } from '../../src/build/metrics.js';
import { fitOn } from '../../models/bike-daily/build.js';
import { readDayCsv } from '../../models/bike-daily/data.js';

const days = readDayCsv();
const records = days.map(uciToRecord);
let predictor: Predictor;

beforeAll(async () => {
  predictor = await createPredictor('models/bike-daily/manifest.json', { worker: false });
});
afterAll(() => predictor.dispose());

describe('PSI', () => {
  it('matches a hand-computed value', () => {
    // expected 50/50, actual 80/20: (0.8-0.5)ln(0.8/0.5) + (0.2-0.5)ln(0.2/0.5) = 0.1410 + 0.2749
    expect(psi([0.5, 0.5], [80, 20])).toBeCloseTo(0.3 * Math.log(1.6) + 0.3 * Math.log(2.5), 10);
    expect(psi([0.25, 0.25, 0.5], [25, 25, 50])).toBe(0);
    expect(binOf([10, 20], 9.99)).toBe(0);
    expect(binOf([10, 20], 10)).toBe(1);
    expect(binOf([10, 20], 25)).toBe(2);
    expect([statusOf(0.05, 500), statusOf(0.1, 500), statusOf(0.25, 500), statusOf(1, 199)]).toEqual([
      'ok',
      'warn',
      'alert',
      'insufficient-data',
    ]);
  });
});

describe('drift monitor (real bike bundle, inline engine)', () => {
  it('training records give ok; +15 °C alerts on temperature only, with matching out-of-range counts', async () => {
    await predictor.resetMonitor();
    await predictor.predictBatch(records);
    const normal = await predictor.monitor();
    expect(normal.drift!.records).toBe(731);
    expect(normal.drift!.status).toBe('ok');
    expect(Object.values(normal.drift!.fields).every((f) => f.status === 'ok' && f.outOfRange === 0)).toBe(true);

    await predictor.resetMonitor();
    const hot = records.map((r) => ({ ...r, temperature: r.temperature + 15 }));
    const out = await predictor.predictBatch(hot);
    const snap = await predictor.monitor();
    expect(snap.drift!.fields.temperature!.status).toBe('alert');
    for (const name of ['feelsLike', 'humidity', 'windSpeed', 'weather']) expect(snap.drift!.fields[name]!.status).toBe('ok');
    const max = predictor.info.inputs.find((f) => f.name === 'temperature') as { range: { max: number } };
    const expectedClipped = hot.filter((r) => r.temperature > max.range.max).length;
    expect(expectedClipped).toBeGreaterThan(100);
    expect(snap.drift!.fields.temperature!.outOfRange).toBe(expectedClipped);
    expect(out.filter((p) => p.warnings?.some((w) => w.field === 'temperature' && w.kind === 'clipped'))).toHaveLength(expectedClipped);
    expect(snap.drift!.status).toBe('alert');
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });

  it('is seasonal: autumn weather is compared with training autumns, so only unusual weather drifts', async () => {
    const autumn = records.filter((r) => Number(r.date.slice(5, 7)) >= 9);
    expect(autumn.length).toBeGreaterThanOrEqual(200);
    await predictor.resetMonitor();
    await predictor.predictBatch(autumn);
    const usual = await predictor.monitor();
    expect(usual.drift!.status).toBe('ok');
    await predictor.resetMonitor();
    await predictor.predictBatch(autumn.map((r) => ({ ...r, temperature: r.temperature + 10, feelsLike: r.feelsLike + 10 })));
    const warm = await predictor.monitor();
    expect(warm.drift!.fields.temperature!.status).toBe('alert');
    expect(warm.drift!.fields.humidity!.status).toBe('ok');
  });

  it('observes the output level-free: calibration alone does not read as drift', async () => {
    await predictor.resetMonitor();
    await predictor.predictBatch(records);
    const before = (await predictor.monitor()).drift!.output!.psi;
    await predictor.calibrate(days.slice(0, 30).map((d) => ({ record: uciToRecord(d), actual: d.cnt * 3 })));
    await predictor.resetMonitor();
    await predictor.predictBatch(records);
    const after = await predictor.monitor();
    await predictor.calibrate(null);
    expect(after.levelScale).toBeGreaterThan(2);
    expect(after.drift!.output!.psi).toBe(before);
  });

  it('reset() starts afresh and a handful of records says insufficient-data', async () => {
    await predictor.resetMonitor();
    await predictor.predictBatch(records.slice(0, 5));
    expect((await predictor.monitor()).drift!.status).toBe('insufficient-data');
  });
});

describe('live error', () => {
  it('rolling MAE against actuals by date and by record; degraded when far off', async () => {
    await predictor.resetMonitor();
    const window = records.slice(600, 628);
    const predicted = await predictor.predictBatch(window);
    const actual = days.slice(600, 628).map((d) => d.cnt);
    const byDate = await predictor.reportActuals(window.map((r, i) => ({ date: r.date, actual: actual[i]! })));
    expect(byDate.count).toBe(28);
    expect(byDate.mae).toBeCloseTo(
      score(
        actual,
        predicted.map((p) => p.rentals as number),
      ).mae,
      0,
    );
    expect(byDate.status).toBe('ok');
    const far = await predictor.reportActuals(window.map((r, i) => ({ record: r, actual: actual[i]! * 3 })));
    expect(far.status).toBe('degraded');
    await expect(predictor.reportActuals([{ date: '1999-01-01', actual: 5 }])).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });

  it('names every bad actual by its own index, a bad record field as record.<field>', async () => {
    await predictor.predictBatch([records[0]!]);
    const actuals = [
      { date: records[0]!.date, actual: 10 },
      { record: { ...records[1]!, temperature: 'hot' }, actual: 10 },
      { record: records[2]!, actual: -1 },
      { date: '1999-01-01', actual: 10 },
      { record: 7, actual: 10 },
    ];
    const error = await predictor.reportActuals(actuals).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_VALIDATION' });
    expect((error as ValidationError).issues.map((i) => [i.index, i.path, i.kind])).toEqual([
      [1, 'record.temperature', 'type'],
      [2, 'actual', 'type'],
      [3, 'date', 'missing'],
      [4, 'record', 'record'],
    ]);
  });

  it('matches 10,000 actuals by record, each to its own prediction', async () => {
    // Distinct records, so that a prediction put in the wrong place shows as error.
    const many = Array.from({ length: 10_000 }, (_, i) => ({ ...records[i % records.length]!, temperature: -5 + (i % 4000) / 100 }));
    const predicted = (await predictor.predictBatch(many)).map((p) => p.rentals as number);
    const exact = await predictor.reportActuals(many.map((record, i) => ({ record, actual: predicted[i]! })));
    expect(exact).toMatchObject({ count: 28, mae: 0, bias: 0 });
    const shifted = await predictor.reportActuals(many.map((record, i) => ({ record, actual: predicted[(i + 1) % many.length]! })));
    expect(shifted.mae).toBeGreaterThan(0);
    expect(await predictor.calibrate(many.map((record, i) => ({ record, actual: 2 * predicted[i]! })))).toBeCloseTo(2, 12);
    await predictor.calibrate(null);
  });
});

describe('calibration', () => {
  it('levelScaleFrom is the bounded ratio of sums', () => {
    expect(levelScaleFrom([100, 100], [150, 150])).toBe(1.5);
    expect(levelScaleFrom([100], [10_000])).toBe(4);
    expect(levelScaleFrom([100], [1])).toBe(0.25);
  });

  it('with the holdout model, 14 days of actuals lower the later absolute bias and keep MAE within 2 %', async () => {
    const before = days.filter((d) => d.dteday < '2012-09-01');
    const { bundle } = await fitOn(before, { createdAt: 'test', split: 'test' });
    const p = await createPredictor(bundle, { worker: false });
    const first = days.filter((d) => d.dteday >= '2012-09-01' && d.dteday <= '2012-09-14');
    const rest = days.filter((d) => d.dteday >= '2012-09-15');
    const actualRest = rest.map((d) => d.cnt);
    const plain = score(
      actualRest,
      (await p.predictBatch(rest.map(uciToRecord))).map((x) => x.rentals as number),
    );
    const scale = await p.calibrate(first.map((d) => ({ record: uciToRecord(d), actual: d.cnt })));
    expect(p.info.levelScale).toBe(scale);
    const calibrated = score(
      actualRest,
      (await p.predictBatch(rest.map(uciToRecord))).map((x) => x.rentals as number),
    );
    console.log(
      `calibration: scale ${scale.toFixed(4)}; 2012-09-15..12-31 MAE ${plain.mae} → ${calibrated.mae}, bias ${plain.bias} → ${calibrated.bias}`,
    );
    expect(Math.abs(calibrated.bias)).toBeLessThan(Math.abs(plain.bias));
    expect(calibrated.mae).toBeLessThanOrEqual(plain.mae * 1.02);
    expect(await p.calibrate(null)).toBe(1);
    const restored = score(
      actualRest,
      (await p.predictBatch(rest.map(uciToRecord))).map((x) => x.rentals as number),
    );
    expect(restored).toEqual(plain);
    await p.dispose();
  });
});
