import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPredictor, BundleError, DisposedError, ValidationError, type Predictor } from '../../src/index.js';
import { predictEnsemble } from '../../src/build/gbdt.js';
import { compilePipeline } from '../../src/features/pipeline.js';
import { tinyBundle, tinyRecords } from '../fixtures/tiny-bundle.js';

const bundle = await tinyBundle();
let predictor: Predictor;

beforeAll(async () => {
  predictor = await createPredictor(bundle, { worker: false });
});
afterAll(() => predictor.dispose());

describe('createPredictor (inline, real onnxruntime-web in Node)', () => {
  it('runs inline in Node and exposes the bundle info', () => {
    expect(predictor.runtime).toBe('inline');
    expect(predictor.info.name).toBe('tiny-fixture');
    expect(predictor.info.columns).toEqual([
      'date.dayOfYear',
      'date.weekday',
      'date.yearOffset',
      'date.workingDay',
      'temperature',
      'humidity',
      'weather',
    ]);
    expect(predictor.info.inputs.find((f) => f.name === 'temperature')).toMatchObject({ unit: '°C', outOfRange: 'clip' });
  });

  it('predicts what the trees predict, through the feature pipeline and post-processing', async () => {
    const records = tinyRecords(50, 99);
    const { matrix } = compilePipeline(bundle.manifest.inputs, bundle.manifest.features).encode(records);
    const out = await predictor.predictBatch(records);
    expect(out).toHaveLength(50);
    records.forEach((r, i) => {
      const row = matrix.subarray(i * 7, i * 7 + 7);
      const level = (r.date as string).startsWith('2012') ? 2 : 1;
      const expected = Math.exp(predictEnsemble(bundle.ensemble, row)) * level;
      expect(out[i]!.value as number).toBeCloseTo(expected, 3);
      const band = expected < 20 ? 'low' : expected < 40 ? 'mid' : 'high';
      expect(out[i]!.level).toBe(band);
    });
  });

  it('predict answers exactly like predictBatch', async () => {
    const records = tinyRecords(10, 5);
    const batch = await predictor.predictBatch(records);
    for (let i = 0; i < records.length; i++) expect(await predictor.predict(records[i])).toEqual(batch[i]);
  });

  it('returns [] for an empty batch and refuses a non-array', async () => {
    expect(await predictor.predictBatch([])).toEqual([]);
    await expect(predictor.predictBatch('nope' as unknown as unknown[])).rejects.toBeInstanceOf(ValidationError);
  });

  it('lists every invalid record of a batch, with index, path and received value', async () => {
    const records: unknown[] = tinyRecords(5);
    records[1] = { ...(records[1] as object), temperature: 'warm' };
    records[3] = { ...(records[3] as object), date: '2012-02-30', humidity: 150 };
    const error = await predictor.predictBatch(records).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const { issues, code } = error as ValidationError;
    expect(code).toBe('ERR_VALIDATION');
    expect(issues.map((i) => [i.index, i.path])).toEqual([
      [1, 'temperature'],
      [3, 'date'],
      [3, 'humidity'],
    ]);
    expect(issues[0]!.received).toBe('warm');
  });

  it('report mode predicts the valid records and reports the rest in place', async () => {
    const records: unknown[] = tinyRecords(4);
    records[2] = null;
    const out = await predictor.predictBatch(records, { invalid: 'report' });
    expect(out[2]).toEqual({ error: { code: 'ERR_VALIDATION', issues: [expect.objectContaining({ index: 2, path: '' })] } });
    expect(typeof (out[0] as { value: number }).value).toBe('number');
  });

  it('clips out-of-range values per policy and flags them', async () => {
    const [base] = tinyRecords(1);
    const hot = await predictor.predict({ ...base, temperature: 205 });
    const max = predictor.info.inputs.find((f) => f.name === 'temperature')!;
    const atMax = await predictor.predict({ ...base, temperature: (max as { range: { max: number } }).range.max });
    expect(hot.value).toBe(atMax.value);
    expect(hot.warnings).toEqual([{ index: 0, field: 'temperature', kind: 'clipped', received: 205 }]);
    expect(atMax.warnings).toBeUndefined();
  });

  it('accepts category aliases and refuses unknown categories', async () => {
    const [base] = tinyRecords(1);
    expect(await predictor.predict({ ...base, weather: 3 })).toEqual(await predictor.predict({ ...base, weather: 'rain' }));
    await expect(predictor.predict({ ...base, weather: 'snow' })).rejects.toThrow(/field "weather": unknown value "snow"/);
  });

  it('ignores extra fields by default and refuses them in strict mode', async () => {
    const [base] = tinyRecords(1);
    const extra = { ...base, colour: 'red' };
    expect(await predictor.predict(extra)).toEqual(await predictor.predict(base));
    await expect(predictor.predict(extra, { strict: true })).rejects.toThrow(/colour/);
  });
});

describe('bundle loading', () => {
  it('refuses a model whose sha256 differs from the manifest', async () => {
    const model = bundle.model.slice();
    model[model.length - 1]! ^= 1;
    await expect(createPredictor({ manifest: bundle.manifest, model }, { worker: false })).rejects.toMatchObject({
      code: 'ERR_BUNDLE_INTEGRITY',
    });
  });

  it('refuses an unknown formatVersion, naming it', async () => {
    const manifest = { ...bundle.manifest, formatVersion: 7 };
    await expect(createPredictor({ manifest, model: bundle.model }, { worker: false })).rejects.toThrow(/formatVersion 7/);
  });

  it('refuses an invalid manifest with the path of the problem', async () => {
    const manifest = { ...bundle.manifest, model: { ...bundle.manifest.model, sha256: 'xyz' } };
    const error = await createPredictor({ manifest, model: bundle.model }, { worker: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).code).toBe('ERR_BUNDLE_INVALID');
    expect((error as BundleError).message).toMatch(/model\.sha256/);
  });

  it('refuses a manifest whose columns disagree with its feature steps', async () => {
    const manifest = { ...bundle.manifest, model: { ...bundle.manifest.model, columns: ['a'] } };
    await expect(createPredictor({ manifest, model: bundle.model }, { worker: false })).rejects.toMatchObject({
      code: 'ERR_BUNDLE_MISMATCH',
    });
  });

  it('refuses a manifest that names another ONNX input', async () => {
    const manifest = { ...bundle.manifest, model: { ...bundle.manifest.model, inputName: 'x' } };
    await expect(createPredictor({ manifest, model: bundle.model }, { worker: false })).rejects.toThrow(/"x" is not a model input/);
  });

  it('reports a missing file with its path', async () => {
    await expect(createPredictor('does/not/exist/manifest.json', { worker: false })).rejects.toMatchObject({
      code: 'ERR_BUNDLE_FETCH',
      details: { url: 'does/not/exist/manifest.json' },
    });
  });
});

describe('dispose', () => {
  it('is idempotent and later calls reject with DisposedError', async () => {
    const p = await createPredictor(bundle, { worker: false });
    await p.dispose();
    await p.dispose();
    await expect(p.predict(tinyRecords(1)[0])).rejects.toBeInstanceOf(DisposedError);
    await expect(p.predictBatch([])).rejects.toBeInstanceOf(DisposedError);
  });
});
