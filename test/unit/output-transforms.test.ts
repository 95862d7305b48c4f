import { describe, expect, it } from 'vitest';
import { fitPipeline } from '../../src/build/fit.js';
import { predictEnsemble } from '../../src/build/gbdt.js';
import type { PipelineSpec } from '../../src/build/spec.js';
import { trainModel } from '../../src/build/train.js';
import { compilePipeline } from '../../src/features/pipeline.js';
import { createPredictor } from '../../src/index.js';

/** Published outputs of trained bundles: a demand level keyed by a datetime's local year, and the log1p target's inverse. */

const PARAMS = { nTrees: 15, maxDepth: 3, learningRate: 0.3, minSamplesLeaf: 5, subsample: 1, maxBins: 32, l2: 0, seed: 3 };

// Two years of every 7th hour; demand doubles from 2011 to 2012 and peaks at 17:00.
const rows = Array.from({ length: (2 * 365 * 24) / 7 }, (_, i) => {
  const at = new Date(Date.UTC(2011, 0, 1) + i * 7 * 3600_000);
  const time = at.toISOString().slice(0, 16);
  const hour = at.getUTCHours();
  const temperature = 10 + (i % 20);
  const base = 20 + 60 * Math.exp(-(((hour - 17) / 3) ** 2)) + temperature;
  return { time, temperature, count: Math.round(base * (time.startsWith('2012') ? 2 : 1)) };
});

const spec = (output: PipelineSpec['output']): PipelineSpec => ({
  name: 'hourly-fixture',
  version: '0.0.1',
  inputs: [
    { name: 'time', type: 'datetime', timeZone: 'America/New_York' },
    { name: 'temperature', type: 'number' },
  ],
  features: [
    { step: 'calendar', input: 'time', parts: ['hour', 'weekday'] },
    { step: 'standardize', input: 'temperature' },
  ],
  output,
});

async function published(s: PipelineSpec) {
  const pipeline = await fitPipeline(s, rows);
  const trained = await trainModel(pipeline, rows, { target: 'count', params: PARAMS, createdAt: '2024-01-01T00:00:00.000Z' });
  const predictor = await createPredictor(trained.bundle, { worker: false });
  try {
    const records = rows.map(({ time, temperature }) => ({ time, temperature }));
    const out = (await predictor.predictBatch(records)).map((p) => p.count as number);
    const encoder = compilePipeline(trained.bundle.manifest.inputs, trained.bundle.manifest.features);
    const { matrix } = encoder.encode(records);
    const w = encoder.width;
    const raw = records.map((_, i) => predictEnsemble(trained.ensemble, matrix.subarray(i * w, i * w + w)));
    return { trained, out, raw };
  } finally {
    await predictor.dispose();
  }
}

describe('output post-processing of trained bundles', () => {
  it('a level on a datetime input is fitted by train and applied by the library per local year', async () => {
    const { trained, out, raw } = await published(spec({ name: 'count', transform: 'log', level: { input: 'time' } }));
    const level = trained.levelByYear!;
    expect(Object.keys(level)).toEqual(['2011', '2012']);
    expect(level['2012']).toBeGreaterThan(1.8);
    expect(level['2012']).toBeLessThan(2.2);
    rows.forEach((r, i) => {
      const expected = Math.exp(raw[i]!) * level[r.time.slice(0, 4)]!;
      expect(Math.abs(out[i]! - expected) / expected).toBeLessThan(1e-5);
    });
  });

  it('a log1p target is published through expm1', async () => {
    const { out, raw } = await published(spec({ name: 'count', transform: 'log1p' }));
    rows.forEach((_, i) => {
      const expected = Math.expm1(raw[i]!);
      expect(Math.abs(out[i]! - expected) / expected).toBeLessThan(1e-5);
    });
  });
});
