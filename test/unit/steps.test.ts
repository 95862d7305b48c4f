import { describe, expect, it } from 'vitest';
import { fitPipeline } from '../../src/build/fit.js';
import type { PipelineSpec } from '../../src/build/spec.js';
import { compilePipeline } from '../../src/features/pipeline.js';

/** Each feature step: what fit learns, what apply writes, and the edges (unseen values, constants, NaN, edges, zones). */

type Inputs = PipelineSpec['inputs'];
type Steps = PipelineSpec['features'];

async function fitted(inputs: Inputs, features: Steps, rows: object[]) {
  const pipeline = await fitPipeline({ name: 't', version: '1', inputs, features, output: { name: 'y' } }, rows);
  const compiled = compilePipeline(pipeline.inputs, pipeline.features);
  const encode = (records: object[]) => {
    const { matrix } = compiled.encode(records);
    return Array.from({ length: records.length }, (_, i) => Array.from(matrix.subarray(i * compiled.width, (i + 1) * compiled.width)));
  };
  return { pipeline, columns: compiled.columns, encode };
}

const num = (name = 'x', extra = {}) => ({ name, type: 'number' as const, ...extra });

describe('standardize', () => {
  it('fits mean and population sd, applies (x − mean) / sd', async () => {
    const { pipeline, encode } = await fitted(
      [num('x', { outOfRange: 'extrapolate' })],
      [{ step: 'standardize', input: 'x' }],
      [{ x: 1 }, { x: 3 }],
    );
    expect(pipeline.features[0]).toMatchObject({ center: 2, scale: 1 });
    expect(encode([{ x: 4 }])).toEqual([[2]]);
  });
  it('a constant column gets sd 1, so it never divides by zero', async () => {
    const { pipeline, encode } = await fitted(
      [num('x', { outOfRange: 'extrapolate' })],
      [{ step: 'standardize', input: 'x' }],
      [{ x: 5 }, { x: 5 }],
    );
    expect(pipeline.features[0]).toMatchObject({ center: 5, scale: 1 });
    expect(encode([{ x: 6 }])).toEqual([[1]]);
  });
});

describe('minMax', () => {
  it('scales to 0…1 on the training min and max; clip holds values beyond them', async () => {
    const rows = [{ x: 10 }, { x: 20 }];
    const free = await fitted([num('x', { outOfRange: 'extrapolate' })], [{ step: 'minMax', input: 'x' }], rows);
    expect(free.encode([{ x: 15 }, { x: 30 }])).toEqual([[0.5], [2]]);
    const clipped = await fitted([num('x', { outOfRange: 'extrapolate' })], [{ step: 'minMax', input: 'x', clip: true }], rows);
    expect(clipped.encode([{ x: 30 }, { x: 0 }])).toEqual([[1], [0]]);
  });
  it('fromZero is the classic x / max', async () => {
    const { pipeline, encode } = await fitted([num()], [{ step: 'minMax', input: 'x', fromZero: true }], [{ x: 10 }, { x: 40 }]);
    expect(pipeline.features[0]).toMatchObject({ min: 0, max: 40 });
    expect(encode([{ x: 10 }])).toEqual([[0.25]]);
  });
  it('a constant column is 0', async () => {
    const { encode } = await fitted([num()], [{ step: 'minMax', input: 'x' }], [{ x: 3 }, { x: 3 }]);
    expect(encode([{ x: 3 }])).toEqual([[0]]);
  });
});

describe('log1p', () => {
  it('writes ln(1 + x), and fitting refuses values at or below −1', async () => {
    const { columns, encode } = await fitted([num()], [{ step: 'log1p', input: 'x' }], [{ x: 0 }, { x: Math.E - 1 }]);
    expect(columns).toEqual(['log1p(x)']);
    expect(encode([{ x: Math.E - 1 }])[0]![0]).toBeCloseTo(1, 6);
    await expect(fitted([num()], [{ step: 'log1p', input: 'x' }], [{ x: -1 }])).rejects.toMatchObject({ code: 'ERR_SPEC' });
  });
});

describe('bucketize', () => {
  it('a value exactly on an edge belongs to the bucket above it', async () => {
    const { encode } = await fitted(
      [num('x', { outOfRange: 'extrapolate' })],
      [{ step: 'bucketize', input: 'x', edges: [0, 10] }],
      [{ x: 5 }],
    );
    expect(encode([{ x: -1 }, { x: 0 }, { x: 9.99 }, { x: 10 }, { x: 11 }])).toEqual([[0], [1], [1], [2], [2]]);
  });
  it('fits equal-count edges, merging repeats; a constant column cannot be bucketed', async () => {
    const rows = [1, 2, 3, 4, 5, 6, 7, 8].map((x) => ({ x }));
    const { pipeline } = await fitted([num()], [{ step: 'bucketize', input: 'x', quantiles: 4 }], rows);
    expect(pipeline.features[0]).toMatchObject({ edges: [3, 5, 7] });
    await expect(fitted([num()], [{ step: 'bucketize', input: 'x', quantiles: 4 }], [{ x: 1 }, { x: 1 }])).rejects.toThrow(/constant/);
  });
  it('a missing value (missing: "model") stays NaN', async () => {
    const { encode } = await fitted(
      [num('x', { missing: 'model' })],
      [{ step: 'bucketize', input: 'x', edges: [1] }],
      [{ x: 0 }, { x: 2 }],
    );
    expect(encode([{}, { x: null }])).toEqual([[NaN], [NaN]]);
  });
});

describe('oneHot', () => {
  const weather = { name: 'w', type: 'category' as const, values: ['sun', 'cloud', 'rain', 'snow'] };
  it('one column per value; values rarer than minFrequency share the "other" column', async () => {
    const rows = [...Array(5).fill({ w: 'sun' }), ...Array(4).fill({ w: 'cloud' }), { w: 'rain' }];
    const { columns, encode } = await fitted([weather], [{ step: 'oneHot', input: 'w', minFrequency: 2 }], rows);
    expect(columns).toEqual(['w=sun', 'w=cloud', 'w=other']);
    expect(encode([{ w: 'sun' }, { w: 'rain' }, { w: 'snow' }])).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 0, 1],
    ]);
  });
  it("an unseen category is rejected with the input's policy, never silently encoded", async () => {
    const { pipeline } = await fitted([weather], [{ step: 'oneHot', input: 'w' }], [{ w: 'sun' }]);
    expect(() => compilePipeline(pipeline.inputs, pipeline.features).encode([{ w: 'hail' }])).toThrow(/unknown value "hail"/);
  });
  it('values left out of the spec are learned from the data, sorted', async () => {
    const { columns } = await fitted(
      [{ name: 'w', type: 'category' }],
      [{ step: 'oneHot', input: 'w' }],
      [{ w: 'b' }, { w: 'a' }, { w: 'b' }],
    );
    expect(columns).toEqual(['w=a', 'w=b']);
  });
});

describe('cyclic', () => {
  it('sin/cos of a calendar part puts December next to January', async () => {
    const { columns, encode } = await fitted(
      [{ name: 'd', type: 'date' }],
      [{ step: 'cyclic', input: 'd', part: 'month' }],
      [{ d: '2024-01-01' }],
    );
    expect(columns).toEqual(['d.month.sin', 'd.month.cos']);
    const [jan, dec, jul] = encode([{ d: '2024-01-15' }, { d: '2024-12-15' }, { d: '2024-07-15' }]);
    const dist = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
    expect(dist(jan!, dec!)).toBeLessThan(dist(jan!, jul!));
    expect(jan).toEqual([0, 1]);
  });
  it('a number with a period', async () => {
    const { encode } = await fitted(
      [num('deg', { outOfRange: 'extrapolate' })],
      [{ step: 'cyclic', input: 'deg', period: 360 }],
      [{ deg: 0 }],
    );
    const [r] = encode([{ deg: 90 }]);
    expect(r![0]).toBeCloseTo(1, 6);
    expect(r![1]).toBeCloseTo(0, 6);
  });
});

describe('calendar, holidays and date-times', () => {
  const time = { name: 't', type: 'datetime' as const, timeZone: 'America/New_York' };
  it("the hour of a local date-time, and of an instant converted to the input's zone, whatever the process zone", async () => {
    const { encode } = await fitted(
      [time],
      [{ step: 'calendar', input: 't', parts: ['hour', 'weekday', 'dayOfYear'] }],
      [{ t: '2024-01-01T00:00' }],
    );
    const records = [{ t: '2024-07-04T08:30' }, { t: '2024-07-04T12:30Z' }, { t: '2024-07-04T14:30+02:00' }, { t: '2024-01-10T13:00Z' }];
    // New York is UTC−4 in July (DST) and UTC−5 in January.
    const expected = [
      [8, 4, 186],
      [8, 4, 186],
      [8, 4, 186],
      [8, 3, 10],
    ];
    expect(encode(records)).toEqual(expected);
    const zone = process.env.TZ;
    try {
      for (const tz of ['Pacific/Kiritimati', 'America/Adak', 'UTC']) {
        process.env.TZ = tz;
        expect(encode(records)).toEqual(expected);
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
  it('malformed or impossible date-times are refused with the field named', async () => {
    const { pipeline } = await fitted([time], [{ step: 'calendar', input: 't', parts: ['hour'] }], [{ t: '2024-01-01T00:00' }]);
    const encode = compilePipeline(pipeline.inputs, pipeline.features).encode;
    for (const t of ['2024-02-30T10:00', '2024-01-01T24:00', '2024-01-01 7pm', '2024-01-01T10:00+25:00']) {
      expect(() => encode([{ t }]), t).toThrow(/field "t"/);
    }
  });
  it("a holiday list of the spec's own, and a working day that follows it", async () => {
    const own = { dates: ['2024-03-15'] };
    const { encode } = await fitted(
      [{ name: 'd', type: 'date' }],
      [
        { step: 'holiday', input: 'd', calendar: own },
        { step: 'workingDay', input: 'd', calendar: own },
      ],
      [{ d: '2024-01-01' }],
    );
    expect(encode([{ d: '2024-03-15' }, { d: '2024-03-14' }, { d: '2024-03-16' }, { d: '2024-07-04' }])).toEqual([
      [1, 0],
      [0, 1],
      [0, 0],
      [0, 1],
    ]);
  });
  it('yearOffset counts from the first training year when the spec gives no origin', async () => {
    const { pipeline, encode } = await fitted(
      [{ name: 'd', type: 'date' }],
      [{ step: 'calendar', input: 'd', parts: ['yearOffset'] }],
      [{ d: '2019-05-01' }, { d: '2021-01-01' }],
    );
    expect(pipeline.features[0]).toMatchObject({ originYear: 2019 });
    expect(encode([{ d: '2022-06-01' }])).toEqual([[3]]);
  });
});

describe('passthrough and categoryCode', () => {
  it('numbers and booleans pass unchanged; a missing value with missing: "model" is NaN', async () => {
    const { encode } = await fitted(
      [num('x', { missing: 'model', outOfRange: 'extrapolate' }), { name: 'b', type: 'boolean' }],
      [
        { step: 'passthrough', input: 'x' },
        { step: 'passthrough', input: 'b' },
      ],
      [{ x: 1, b: true }],
    );
    expect(encode([{ x: 2.5, b: false }, { b: true }])).toEqual([
      [2.5, 0],
      [NaN, 1],
    ]);
  });
  it('codes follow the declared order; a missing category is NaN', async () => {
    const { pipeline, encode } = await fitted(
      [{ name: 'c', type: 'category', values: ['low', 'mid', 'high'], missing: 'model' }],
      [{ step: 'categoryCode', input: 'c' }],
      [{ c: 'low' }],
    );
    expect(pipeline.features[0]).toMatchObject({ codes: { low: 1, mid: 2, high: 3 } });
    expect(encode([{ c: 'high' }, {}])).toEqual([[3], [NaN]]);
  });
  it('two steps writing the same column are refused, naming it', async () => {
    await expect(
      fitted(
        [num()],
        [
          { step: 'standardize', input: 'x' },
          { step: 'passthrough', input: 'x' },
        ],
        [{ x: 1 }],
      ),
    ).rejects.toThrow(/column "x"/);
  });
});
