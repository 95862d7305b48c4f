import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FeaturecastError,
  ValidationError,
  type Prediction,
  type Predictor,
  type RejectedRecord,
  type ValidationIssue,
} from '../../src/index.js';
import { compilePipeline } from '../../src/features/pipeline.js';
import {
  MANIFEST_PATH,
  REQUIRED,
  bandOf,
  createBikePredictor,
  manifest,
  rec,
  repoRoot,
  validationError,
  without,
} from '../fixtures/bike-validation.js';

/**
 * Issue 6, whole batches: alignment and issue indices across the 8192/16384 chunk boundaries,
 * invalid: 'report' (bad records replaced in place), and batches too large to accept.
 * The base record and the error-contract checks live in test/fixtures/bike-validation.ts.
 */

let bike: Predictor;
beforeAll(async () => {
  bike = await createBikePredictor();
});
afterAll(() => bike?.dispose());

describe('batches', () => {
  it('an empty batch returns [] (both modes)', async () => {
    expect(await bike.predictBatch([])).toEqual([]);
    expect(await bike.predictBatch([], { invalid: 'report' })).toEqual([]);
    expect(await bike.predictBatch([], { strict: true })).toEqual([]);
  });

  it('predict answers exactly like the same record in a batch', async () => {
    const records = [rec(), rec({ weather: 'mist', temperature: 12 }), rec({ date: '2011-12-24', humidity: 90 })];
    const batch = await bike.predictBatch(records);
    for (let i = 0; i < records.length; i++) expect(await bike.predict(records[i])).toEqual(batch[i]);
  });

  it('a ValidationError lists EVERY bad record of a large batch, across 8192/16384 chunk boundaries', async () => {
    const n = 20_000;
    const records: unknown[] = Array.from({ length: n }, (_, i) => rec({ temperature: 5 + (i % 250) / 10 }));
    const bad: Record<number, [unknown, Array<[string, unknown]>]> = {
      0: [null, [['', null]]],
      1: [rec({ temperature: '25' }), [['temperature', '25']]],
      8191: [rec({ date: '2012-02-30' }), [['date', '2012-02-30']]],
      8192: [
        rec({ weather: 'snow', humidity: NaN }),
        [
          ['humidity', NaN],
          ['weather', 'snow'],
        ],
      ],
      8193: [without('windSpeed'), [['windSpeed', 'undefined']]],
      12_345: ['not a record', [['', 'not a record']]],
      16_383: [rec({ feelsLike: Infinity }), [['feelsLike', Infinity]]],
      16_384: [rec({ holiday: 'no' }), [['holiday', 'no']]],
      16_385: [{}, REQUIRED.map((f) => [f, 'undefined'] as [string, unknown])],
      16_386: [rec({ temperature: 205 }), [['temperature', 205]]],
      19_999: [rec({ date: 20120605 }), [['date', 20120605]]],
    };
    for (const [i, [r]] of Object.entries(bad)) records[Number(i)] = r;
    // A clipped record after the chunk boundary (possible, hotter than training): its warning must keep its own index.
    records[16_390] = rec({ temperature: 45 });
    const expected = Object.entries(bad).flatMap(([i, [, paths]]) =>
      paths.map(([path, received]) => ({ index: Number(i), path, kind: expect.any(String), message: expect.any(String), received })),
    );

    const e = await validationError(bike.predictBatch(records));
    expect(e.issues).toEqual(expected);
    expect(e.message).toMatch(/^Invalid input: record 0: /);
    expect(e.message).toContain(`and ${expected.length - 1} more issues`);

    // Report mode: the same issues, in place; every other record predicted, in order.
    const out = await bike.predictBatch(records, { invalid: 'report' });
    expect(out).toHaveLength(n);
    const reported = out.flatMap((p, i) => ('error' in p ? [i] : []));
    expect(reported).toEqual(Object.keys(bad).map(Number));
    expect(out.flatMap((p) => ('error' in p ? (p as RejectedRecord).error.issues : []))).toEqual(expected);
    for (const i of Object.keys(bad).map(Number)) expect((out[i] as RejectedRecord).error.code).toBe('ERR_VALIDATION');

    // Alignment: the valid records predict exactly as they do on their own batch.
    const validIdx = records.flatMap((_, i) => (i in bad ? [] : [i]));
    const alone = await bike.predictBatch(validIdx.map((i) => records[i]));
    const misaligned = validIdx.filter((i, k) => {
      const p = out[i] as Prediction;
      return p.rentals !== alone[k]!.rentals || p.busyness !== alone[k]!.busyness;
    });
    expect(misaligned).toEqual([]);
    expect((out[16_390] as Prediction).warnings).toEqual([{ index: 16_390, field: 'temperature', kind: 'clipped', received: 45 }]);
    expect((out[16_386] as RejectedRecord).error.issues).toEqual([
      expect.objectContaining({ kind: 'implausible', message: expect.stringContaining('°C') }),
    ]);
  });
});

describe("invalid: 'report'", () => {
  it('predicts the valid records and replaces each invalid one in place by { error: { code, issues } }', async () => {
    const records: unknown[] = [
      rec(),
      rec({ temperature: 'hot' }),
      rec({ weather: 2 }),
      'junk',
      rec({ temperature: 45 }),
      {},
      rec({ humidity: 250 }),
    ];
    const out = await bike.predictBatch(records, { invalid: 'report' });
    expect(out).toHaveLength(records.length);
    expect(out[0]).toEqual(await bike.predict(rec()));
    expect(out[1]).toEqual({
      error: {
        code: 'ERR_VALIDATION',
        issues: [{ index: 1, path: 'temperature', kind: 'type', message: expect.stringMatching(/number/), received: 'hot' }],
      },
    });
    expect(out[2]).toEqual(await bike.predict(rec({ weather: 'mist' })));
    expect(out[3]).toEqual({
      error: { code: 'ERR_VALIDATION', issues: [expect.objectContaining({ index: 3, path: '', received: 'junk' })] },
    });
    expect(out[4]).toEqual({
      ...(await bike.predict(rec({ temperature: 45 }))),
      warnings: [{ index: 4, field: 'temperature', kind: 'clipped', received: 45 }],
    });
    const empty = out[5] as RejectedRecord;
    expect(empty.error.code).toBe('ERR_VALIDATION');
    expect(empty.error.issues.map((i: ValidationIssue) => [i.index, i.path])).toEqual(REQUIRED.map((p) => [5, p]));
    // An impossible value is refused, never clipped, whatever the range policy says.
    expect(out[6]).toEqual({
      error: {
        code: 'ERR_VALIDATION',
        issues: [{ index: 6, path: 'humidity', kind: 'implausible', message: '250 % is outside the possible 0…100 %', received: 250 }],
      },
    });
    // A rejected record carries no prediction fields.
    expect(Object.keys(out[1]!)).toEqual(['error']);
  });

  it('a batch where every record is invalid resolves with only errors', async () => {
    const out = await bike.predictBatch([null, {}, rec({ date: '' })], { invalid: 'report' });
    expect(out.every((p) => 'error' in p)).toBe(true);
    expect(out.map((p) => (p as RejectedRecord).error.issues[0]!.index)).toEqual([0, 1, 2]);
  });

  it('results are plain cloneable data (they may cross postMessage / JSON)', async () => {
    const out = await bike.predictBatch([rec({ humidity: 99 }), rec({ weather: 'snow' }), rec({ windSpeed: -3 })], { invalid: 'report' });
    expect(structuredClone(out)).toEqual(out);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it("the pipeline's report mode zero-fills rejected rows and flags them", () => {
    const pipeline = compilePipeline(manifest.inputs, manifest.features);
    const encoded = pipeline.encode([rec(), rec({ temperature: NaN }), rec()], { invalid: 'report' });
    expect(Array.from(encoded.rejected!)).toEqual([0, 1, 0]);
    const row = (i: number) => Array.from(encoded.matrix.subarray(i * pipeline.width, (i + 1) * pipeline.width));
    expect(row(1).every((x) => x === 0)).toBe(true);
    expect(row(0)).toEqual(row(2));
    expect(row(0).every(Number.isFinite)).toBe(true);
    expect(encoded.issues).toEqual([expect.objectContaining({ index: 1, path: 'temperature' })]);
    // Reject mode throws one ValidationError with the same issues.
    expect(() => pipeline.encode([rec(), rec({ temperature: NaN })])).toThrow(ValidationError);
  });
});

describe('huge batches', () => {
  it('1,000,000 records: predicted inline (timed), or refused with a clear limit error', { timeout: 180_000 }, async () => {
    const n = 1_000_000;
    const weathers = ['clear', 'mist', 'light-precipitation', 1, 2, 3];
    const records = Array.from({ length: n }, (_, i) => ({
      date: `2012-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      temperature: 3 + (i % 320) / 10,
      feelsLike: 4 + (i % 380) / 10,
      humidity: 20 + (i % 77),
      windSpeed: 2 + (i % 300) / 10,
      weather: weathers[i % weathers.length],
    }));
    const t0 = performance.now();
    let out: Prediction[] | undefined;
    let refused: unknown;
    try {
      out = await bike.predictBatch(records);
    } catch (error) {
      refused = error;
    }
    const ms = performance.now() - t0;
    if (refused !== undefined) {
      console.log(`[validation] 1,000,000-record batch refused after ${ms.toFixed(0)} ms: ${String((refused as Error).message)}`);
      expect(refused).toBeInstanceOf(FeaturecastError);
      expect((refused as Error).message).toMatch(/limit|at most|maximum|too (many|large)/i);
      return;
    }
    console.log(
      `[validation] 1,000,000-record batch predicted inline in ${ms.toFixed(0)} ms ` +
        `(${((ms * 1000) / n).toFixed(2)} µs/record, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB)`,
    );
    expect(out).toHaveLength(n);
    let bad = 0;
    for (const p of out!) {
      const r = p.rentals as number;
      if (!(Number.isFinite(r) && r >= 0 && p.busyness === bandOf(r))) bad++;
    }
    expect(bad).toBe(0);
    // Spot checks: the answers are each record's own.
    for (const i of [0, 1, 16_383, 16_384, 500_000, n - 1]) {
      const single = await bike.predict(records[i]);
      expect(out![i]!.rentals).toBe(single.rentals);
    }
  });

  it('a batch far beyond any sane size is refused with a clear limit error (no RangeError, no crash)', async () => {
    // A sparse array costs nothing to make; the library must not try to allocate for its length.
    const error = await bike.predictBatch(new Array<unknown>(2 ** 32 - 1)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FeaturecastError);
    expect((error as FeaturecastError).code).toBe('ERR_VALIDATION');
    expect((error as Error).message).toMatch(/limit|at most|maximum|too (many|large)/i);
  });

  it('a 5,000,000-slot sparse batch is refused, not an out-of-memory process crash (child process, 128 MB heap)', {
    timeout: 120_000,
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'featurecast-oom-'));
    const script = join(dir, 'huge.mts');
    const indexUrl = new URL('../../src/index.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { createPredictor } from ${JSON.stringify(indexUrl)};
const p = await createPredictor(${JSON.stringify(join(repoRoot, MANIFEST_PATH))}, { worker: false });
try {
  const out = await p.predictBatch(new Array(5_000_000));
  console.log(JSON.stringify({ resolved: out.length }));
} catch (e) {
  console.log(JSON.stringify({ name: e?.name, code: e?.code, message: String(e?.message).slice(0, 300) }));
}
await p.dispose();
`,
    );
    try {
      const child = spawnSync(process.execPath, ['--max-old-space-size=128', '--import', 'tsx', script], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 110_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      const tail = `${child.stdout}\n${child.stderr}`.slice(-1500);
      expect(child.status, `child exited with ${child.status} / ${child.signal}:\n${tail}`).toBe(0);
      const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { code?: string; message?: string };
      expect(result.code, tail).toBe('ERR_VALIDATION');
      expect(result.message).toMatch(/limit|at most|maximum|too (many|large)/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
