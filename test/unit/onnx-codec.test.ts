import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  AttributeType,
  DataType,
  decodeModel,
  encodeModel,
  formatType,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxValueInfo,
} from '../../src/onnx/model.js';
import { ProtoReader, ProtoWriter, WIRE } from '../../src/onnx/protobuf.js';
import { getModelType } from '../fixtures/onnx-legacy-export.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/onnx/${name}`, import.meta.url)));
const bikeBytes = new Uint8Array(readFileSync(new URL('../../models/bike-daily/model.onnx', import.meta.url)));
/** Written by test/fixtures/onnx/make_codec_fixtures.py with Debian's python3-onnx 1.12. */
const PY_FIXTURES = [
  'linear-regressor.onnx',
  'initializer-raw-data.onnx',
  'initializer-float-data.onnx',
  'tree-classifier-zipmap.onnx',
  'tree-classifier-zipmap-strings.onnx',
];

const varintBytes = (v: number) => [...new ProtoWriter().varint(v).finish()];
const attrs = (m: OnnxModel, node = 0) =>
  Object.fromEntries(m.graph!.node![node]!.attribute!.map((a) => [a.name, a])) as Record<string, OnnxAttribute>;
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** protobufjs' view of the same bytes (official schema), in our representation: UTF-8 fields as text. */
function protobufjsObject(bytes: Uint8Array): unknown {
  const Model = getModelType();
  const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
  const fix = (v: unknown, key = ''): unknown => {
    if (v instanceof Uint8Array) return key === 'rawData' ? new Uint8Array(v) : text(v);
    if (Array.isArray(v)) return v.map((x) => (x instanceof Uint8Array ? text(x) : fix(x)));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fix(x, k)]));
    return v;
  };
  const camel = (s: string) => s.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  const keys = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(keys)
      : v && typeof v === 'object' && !(v instanceof Uint8Array)
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [camel(k), keys(x)]))
        : v;
  return fix(keys(Model.toObject(Model.decode(bytes), { longs: Number, defaults: false })));
}

describe('ProtoWriter / ProtoReader', () => {
  const ints = [
    0,
    1,
    127,
    128,
    300,
    16383,
    16384,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 35 + 5,
    2 ** 53 - 1,
    -1,
    -2,
    -127,
    -128,
    -(2 ** 31),
    -(2 ** 31) - 1,
    -(2 ** 32),
    -(2 ** 53 - 1),
  ];

  it("writes int64 varints exactly as protobufjs does (negative: 10 bytes of two's complement)", () => {
    for (const v of ints) {
      const ours = new ProtoWriter().int64(3, v).finish();
      expect([...ours], String(v)).toEqual([...protobuf.Writer.create().uint32(24).int64(v).finish()]);
    }
    expect(varintBytes(300)).toEqual([0xac, 0x02]);
    expect(varintBytes(-1)).toEqual([...Array(9).fill(0xff), 0x01]);
  });

  it('reads back every int64, float and double, packed or one value per field', () => {
    const floats = [0, -0, 1.5, -2.25, 0.1, 3.4e38, Infinity, -Infinity, 1e-45].map(Math.fround); // float32 values
    const doubles = [0.1, -1e300, 5e-324, Math.PI];
    const w = new ProtoWriter().packedInt64s(1, ints).packedFloats(2, floats).packedDoubles(3, doubles);
    ints.forEach((v) => w.int64(1, v));
    floats.forEach((v) => w.float(2, v));
    w.int64(4, -5).float(5, 0.5).string(6, 'héllo 🚲').bytes(7, Uint8Array.of(0, 255)).packedInt64s(8, []).packedFloats(8, []);
    const out = { 1: [] as number[], 2: [] as number[], 3: [] as number[] };
    const r = new ProtoReader(w.finish());
    const seen: number[] = [];
    while (r.next()) {
      seen.push(r.field);
      if (r.field === 1) r.repeated(out[1], WIRE.VARINT);
      else if (r.field === 2) r.repeated(out[2], WIRE.I32);
      else if (r.field === 3) r.repeated(out[3], WIRE.I64);
      else if (r.field === 4) expect(r.int64()).toBe(-5);
      else if (r.field === 5) expect(r.float()).toBe(0.5);
      else if (r.field === 6) expect(r.string()).toBe('héllo 🚲');
      else if (r.field === 7) expect([...r.bytes()]).toEqual([0, 255]);
    }
    expect(out[1]).toEqual([...ints, ...ints]);
    expect(out[2]).toEqual([...floats, ...floats]);
    expect(out[3]).toEqual(doubles);
    expect(seen.filter((f) => f === 8)).toEqual([]); // empty packed fields are not written
  });

  it('nests messages whose length needs 1, 2 and 3 bytes', () => {
    for (const n of [0, 127, 128, 16383, 16384, 70000]) {
      const bytes = new ProtoWriter()
        .int64(1, 7)
        .message(2, (w) => w.bytes(1, new Uint8Array(n).fill(9)))
        .int64(3, 8)
        .finish();
      const r = new ProtoReader(bytes);
      const got: unknown[] = [];
      while (r.next()) {
        if (r.field === 2) {
          const sub = r.message();
          sub.next();
          got.push(sub.bytes().length, sub.next());
        } else got.push(r.int64());
      }
      expect(got).toEqual([7, n, false, 8]);
    }
  });

  it('rejects numbers it cannot write exactly', () => {
    for (const v of [0.5, NaN, Infinity, 2 ** 53, -(2 ** 60)]) expect(() => new ProtoWriter().varint(v)).toThrow(/not an integer within/);
  });

  it('reads a 10-byte varint whose value is beyond 2^53 as the nearest number', () => {
    const r = new ProtoReader(Uint8Array.of(...Array(8).fill(0xff), 0x7f)); // 2^63 - 1
    expect(r.varint()).toBe(2 ** 63);
  });
});

describe('decodeModel / encodeModel', () => {
  it('reproduces the committed bike model byte for byte, and reads its TreeEnsembleRegressor', () => {
    const m = decodeModel(bikeBytes);
    expect(same(encodeModel(m), bikeBytes)).toBe(true);
    expect(m).toEqual(protobufjsObject(bikeBytes));

    expect(m.irVersion).toBe(8);
    expect(m.opsetImport).toEqual([
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ]);
    expect(m.producerName).toBe('featurecast');
    const columns = JSON.parse(m.metadataProps!.find((p) => p.key === 'feature_names')!.value!);
    expect(columns).toHaveLength(10);
    const g = m.graph!;
    expect(g.node).toHaveLength(1);
    expect(g.node![0]).toMatchObject({
      opType: 'TreeEnsembleRegressor',
      domain: 'ai.onnx.ml',
      input: ['features'],
      output: ['prediction'],
    });
    expect(g.input).toEqual([
      { name: 'features', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: 10 }] } } } },
    ]);
    expect(g.output).toEqual([
      { name: 'prediction', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: 1 }] } } } },
    ]);

    const a = attrs(m);
    expect(new Set(a.nodes_treeids!.ints).size).toBe(300);
    expect(Math.max(...a.nodes_treeids!.ints!)).toBe(299);
    const modes = a.nodes_modes!.strings!;
    expect(new Set(modes)).toEqual(new Set(['BRANCH_LEQ', 'LEAF']));
    expect(a.nodes_modes!.type).toBe(AttributeType.STRINGS);
    const n = modes.length;
    for (const k of ['nodes_nodeids', 'nodes_featureids', 'nodes_truenodeids', 'nodes_falsenodeids']) expect(a[k]!.ints).toHaveLength(n);
    expect(a.nodes_values!.floats).toHaveLength(n);
    const leaves = modes.filter((s) => s === 'LEAF').length;
    expect(a.target_weights!.floats).toHaveLength(leaves);
    expect(a.target_nodeids!.ints).toHaveLength(leaves);
    expect(a.aggregate_function).toEqual({ name: 'aggregate_function', s: 'SUM', type: AttributeType.STRING });
    expect(a.n_targets).toEqual({ name: 'n_targets', i: 1, type: AttributeType.INT });
    expect(Math.max(...a.nodes_featureids!.ints!)).toBeLessThan(10);
  });

  it('reads a model from a view at any offset of a larger buffer (a Node Buffer from the pool) as from its own copy', () => {
    for (const offset of [1, 2, 3, 5]) {
      const pool = new Uint8Array(bikeBytes.length + offset + 3);
      pool.set(bikeBytes, offset);
      expect(decodeModel(pool.subarray(offset, offset + bikeBytes.length))).toEqual(decodeModel(bikeBytes));
      expect(decodeModel(Buffer.from(pool.buffer, offset, bikeBytes.length))).toEqual(decodeModel(bikeBytes));
    }
  });

  it('round-trips a model using every field of the subset', () => {
    const raw = new Uint8Array(Float32Array.of(1, -2, 0.5).buffer);
    const model: OnnxModel = {
      irVersion: 8,
      producerName: 'p',
      producerVersion: '',
      domain: 'd',
      modelVersion: -3,
      docString: 'doc ✓',
      graph: {
        node: [
          {
            input: ['x', ''],
            output: ['y'],
            name: 'n',
            opType: 'Op',
            docString: 'nd',
            domain: 'ai.onnx.ml',
            attribute: [
              { name: 'f', f: -0.25, type: AttributeType.FLOAT },
              { name: 'i', i: -(2 ** 40), type: AttributeType.INT },
              { name: 's', s: 'ünï', type: AttributeType.STRING },
              {
                name: 't',
                t: { dims: [2, 0], dataType: DataType.DOUBLE, doubleData: [0.1, -1e300], name: 'tt' },
                type: AttributeType.TENSOR,
              },
              { name: 'fs', floats: [1, Math.fround(0.1), -0], type: AttributeType.FLOATS },
              { name: 'is', ints: [0, -1, 2 ** 53 - 1], type: AttributeType.INTS },
              { name: 'ss', strings: ['a', '', '日本'], type: AttributeType.STRINGS },
              { name: 'empty' },
            ],
          },
        ],
        name: 'g',
        initializer: [
          { dims: [3], dataType: DataType.FLOAT, rawData: raw, name: 'r' },
          { dims: [2], dataType: DataType.INT32, int32Data: [-7, 7], name: 'i32' },
          { dims: [1], dataType: DataType.INT64, int64Data: [-(2 ** 33)] },
          { dataType: DataType.STRING, stringData: ['s'] }, // a scalar: no dims
          { dataType: DataType.FLOAT, floatData: [3.5] },
        ],
        docString: 'gd',
        input: [
          { name: 'x', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{}, { dimParam: 'N' }, { dimValue: 0 }] } } } },
        ],
        output: [
          {
            name: 'y',
            type: {
              sequenceType: {
                elemType: { mapType: { keyType: DataType.STRING, valueType: { tensorType: { elemType: DataType.FLOAT } } } },
              },
            },
          },
          { name: 'scalar', type: { tensorType: { elemType: DataType.DOUBLE, shape: {} } } },
          { name: 'untyped' },
        ],
      },
      opsetImport: [{ domain: '', version: 17 }, { version: 1 }],
      metadataProps: [{ key: 'k', value: '' }, {}],
    };
    const bytes = encodeModel(model);
    const back = decodeModel(bytes);
    expect(back).toEqual(model);
    expect(same(encodeModel(back), bytes)).toBe(true);
    // The official schema (attribute floats/ints packed, as ours) writes the same bytes.
    const Model = getModelType();
    expect(same(Model.encode(Model.decode(bytes)).finish(), bytes)).toBe(true);
    expect(back).toEqual(protobufjsObject(bytes));
    expect(back.graph!.output!.map((o) => formatType(o.type))).toEqual(['seq(map(string,tensor(float)))', 'tensor(double)', '?']);
    expect(formatType({ mapType: { keyType: 99 } })).toBe('map(type99,?)');
    expect(encodeModel({})).toEqual(new Uint8Array(0));
    expect(decodeModel(new Uint8Array(0))).toEqual({});
  });

  it('skips fields outside the subset, of every wire type, including nested groups', () => {
    const known = [...encodeModel({ irVersion: 8, producerName: 'p' })];
    const unknown = [
      ...varintBytes(100 * 8 + WIRE.VARINT),
      ...varintBytes(-1),
      ...varintBytes(101 * 8 + WIRE.I64),
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      ...varintBytes(102 * 8 + WIRE.LEN),
      3,
      9,
      9,
      9,
      ...varintBytes(103 * 8 + WIRE.SGROUP),
      ...varintBytes(1 * 8 + WIRE.VARINT),
      5,
      ...varintBytes(104 * 8 + WIRE.SGROUP),
      0x15,
      0,
      0,
      0,
      0,
      ...varintBytes(104 * 8 + WIRE.EGROUP),
      ...varintBytes(103 * 8 + WIRE.EGROUP),
      ...varintBytes(105 * 8 + WIRE.I32),
      1,
      2,
      3,
      4,
      ...varintBytes(20 * 8 + WIRE.LEN),
      0, // training_info, not in the subset
    ];
    expect(decodeModel(Uint8Array.from([...unknown, ...known, ...unknown]))).toEqual({ irVersion: 8, producerName: 'p' });
  });

  it('reads repeated numbers packed or not, whatever the schema says, and writes them as the schema says', () => {
    // Attribute floats/ints one value per field (as Python's protobuf writes them), tensor dims packed.
    const attribute = (w: ProtoWriter) =>
      w
        .string(1, 'a')
        .float(7, 1.5)
        .float(7, -2)
        .int64(8, -1)
        .int64(8, 2 ** 40)
        .packedFloats(7, [3])
        .int64(20, AttributeType.FLOATS);
    const tensor = (w: ProtoWriter) => w.packedInt64s(1, [2, 3]).int64(7, -4).int64(7, 5).packedInt64s(7, [6]);
    const bytes = new ProtoWriter()
      .message(7, (g) => g.message(1, (n) => n.message(5, attribute).message(5, (a) => a.message(5, tensor))))
      .finish();
    const m = decodeModel(bytes);
    expect(m.graph!.node![0]!.attribute).toEqual([
      { name: 'a', floats: [1.5, -2, 3], ints: [-1, 2 ** 40], type: AttributeType.FLOATS },
      { t: { dims: [2, 3], int64Data: [-4, 5, 6] } },
    ]);
    const canonical = encodeModel(m);
    expect(canonical.length).toBeLessThan(bytes.length);
    const Model = getModelType();
    expect(same(Model.encode(Model.decode(bytes)).finish(), canonical)).toBe(true);
  });
});

describe('models written by the official onnx package (Python)', () => {
  it.each(PY_FIXTURES)('%s: decodes like protobufjs, re-encodes like protobufjs, round-trips', (name) => {
    const bytes = fixture(name);
    const m = decodeModel(bytes);
    expect(m).toEqual(protobufjsObject(bytes));
    const ours = encodeModel(m);
    const Model = getModelType();
    expect(same(ours, Model.encode(Model.decode(bytes)).finish())).toBe(true);
    expect(decodeModel(ours)).toEqual(m);
    expect(same(encodeModel(decodeModel(ours)), ours)).toBe(true);
    expect(m.producerName).toBe('make_codec_fixtures');
    expect(m.opsetImport).toEqual([
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ]);
  });

  it('LinearRegressor: attributes, shapes and doc string', () => {
    const m = decodeModel(fixture('linear-regressor.onnx'));
    expect(m.docString).toBe('y = 0.5 a - 2 b + 0.25 c + 10');
    expect(m.graph!.node![0]).toMatchObject({
      opType: 'LinearRegressor',
      domain: 'ai.onnx.ml',
      name: 'linear',
      input: ['X'],
      output: ['Y'],
    });
    const a = attrs(m);
    expect(a.intercepts).toEqual({ name: 'intercepts', floats: [10], type: AttributeType.FLOATS });
    expect(a.targets).toEqual({ name: 'targets', i: 1, type: AttributeType.INT });
    expect(a.post_transform!.s).toBe('NONE');
    expect(m.graph!.input![0]!.type!.tensorType!.shape).toEqual({ dim: [{ dimParam: 'N' }, { dimValue: 3 }] });
  });

  it('initializers: raw_data as bytes, float_data and negative int64_data as numbers; model fields', () => {
    const raw = decodeModel(fixture('initializer-raw-data.onnx')).graph!.initializer![0]!;
    expect(raw).toMatchObject({ name: 'B', dataType: DataType.FLOAT, dims: [1, 3] });
    expect(raw.floatData).toBeUndefined();
    const copy = raw.rawData!.slice();
    expect([...new Float32Array(copy.buffer)]).toEqual([1.5, -2.5, Math.fround(1e-3)]);

    const m = decodeModel(fixture('initializer-float-data.onnx'));
    expect(m.graph!.initializer).toEqual([
      { dims: [3], dataType: DataType.FLOAT, floatData: [2, 0.5, -1], name: 'W' },
      { dims: [2], dataType: DataType.INT64, int64Data: [-1, 3], name: 'shape' },
    ]);
    expect(m).toMatchObject({ producerVersion: '1.2.3', domain: 'test.featurecast', modelVersion: 42 });
    expect(m.graph!.docString).toBe('graph doc');
    expect(m.metadataProps).toEqual([
      { key: 'author', value: 'featurecast' },
      { key: 'note', value: 'ünïcødé' },
    ]);
    // A None dimension is a Dimension with neither field set.
    expect(m.graph!.input![0]!.type!.tensorType!.shape!.dim).toEqual([{}, { dimValue: 3 }]);
  });

  it.each([
    ['tree-classifier-zipmap.onnx', DataType.INT64, 'int64', { ints: [10, 20, 30] }],
    ['tree-classifier-zipmap-strings.onnx', DataType.STRING, 'string', { strings: ['low', 'mid', 'high'] }],
  ] as const)('%s: TreeEnsembleClassifier then ZipMap, whose output is recognisable', (name, keyType, keyName, labels) => {
    const m = decodeModel(fixture(name));
    const [classifier, zipmap] = m.graph!.node!;
    expect(classifier).toMatchObject({ opType: 'TreeEnsembleClassifier', domain: 'ai.onnx.ml', output: ['label', 'probabilities'] });
    expect(zipmap).toMatchObject({ opType: 'ZipMap', domain: 'ai.onnx.ml', input: ['probabilities'], output: ['output_probability'] });
    expect(attrs(m, 1)[`classlabels_${keyName === 'int64' ? 'int64s' : 'strings'}`]).toMatchObject(labels);
    expect(attrs(m).nodes_modes!.strings).toEqual(['BRANCH_LEQ', 'LEAF', 'BRANCH_LEQ', 'LEAF', 'LEAF']);
    const [label, probs] = m.graph!.output! as [OnnxValueInfo, OnnxValueInfo];
    expect(label.type).toEqual({ tensorType: { elemType: keyType, shape: { dim: [{}] } } });
    expect(probs.name).toBe('output_probability');
    expect(probs.type).toEqual({
      sequenceType: { elemType: { mapType: { keyType, valueType: { tensorType: { elemType: DataType.FLOAT } } } } },
    });
    expect(formatType(probs.type)).toBe(`seq(map(${keyName},tensor(float)))`);
  });
});

describe('onnxruntime-node runs what encodeModel writes', () => {
  const run = async (bytes: Uint8Array, feeds: Record<string, ort.Tensor>, fetches?: string[]) => {
    const session = await ort.InferenceSession.create(bytes);
    try {
      const out = await session.run(feeds, fetches ?? session.outputNames);
      return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dims: t.dims, data: Array.from(t.data as ArrayLike<unknown>) }]));
    } finally {
      await session.release();
    }
  };
  const x3 = () => ({ X: new ort.Tensor('float32', Float32Array.of(1, 2, 3, -1, 0.5, 4), [2, 3]) });
  const x2 = () => ({ X: new ort.Tensor('float32', Float32Array.of(0, 0.2, 0, 0.9, 0.7, 0.6), [3, 2]) });

  it.each(['linear-regressor.onnx', 'initializer-raw-data.onnx', 'initializer-float-data.onnx'])(
    '%s re-encoded gives the outputs of the original',
    async (name) => {
      const bytes = fixture(name);
      const want = await run(bytes, x3());
      expect(await run(encodeModel(decodeModel(bytes)), x3())).toEqual(want);
      if (name === 'linear-regressor.onnx') expect(want.Y!.data).toEqual([10 + 0.5 - 4 + 0.75, 10 - 0.5 - 1 + 1]);
    },
  );

  it("classifiers: the label (ZipMap's map output is beyond ORT's JS API), and the probabilities once ZipMap is cut off", async () => {
    for (const name of ['tree-classifier-zipmap.onnx', 'tree-classifier-zipmap-strings.onnx']) {
      const bytes = fixture(name);
      const want = await run(bytes, x2(), ['label']);
      const m = decodeModel(bytes);
      expect(await run(encodeModel(m), x2(), ['label'])).toEqual(want);
      expect(want.label!.data).toEqual(name.includes('strings') ? ['low', 'mid', 'high'] : [10n, 20n, 30n]);
      m.graph!.node = m.graph!.node!.slice(0, 1);
      m.graph!.output = [{ name: 'probabilities', type: { tensorType: { elemType: DataType.FLOAT } } }];
      const { probabilities } = await run(encodeModel(m), x2());
      expect(probabilities).toEqual({ dims: [3, 3], data: [0.75, 0.125, 0.125, 0.125, 0.75, 0.125, 0.125, 0.125, 0.75] });
    }
  });
});

describe('malformed input', () => {
  const error = (bytes: ArrayLike<number>) => {
    try {
      decodeModel(Uint8Array.from(bytes));
    } catch (e) {
      return e as Error;
    }
    return undefined;
  };

  it('throws a clear Error naming the byte offset', () => {
    const cases: Array<[number[], RegExp]> = [
      [Array(11).fill(0xff), /varint longer than 10 bytes at byte 0/],
      [[0x08, 0x80], /truncated or malformed: 1 bytes needed, 0 left at byte 2/],
      [[0x12, 0x05, 0x61, 0x62], /5 bytes needed, 2 left at byte 2/],
      [[0x12, ...varintBytes(2 ** 40)], /bytes needed/],
      [[0x12, ...varintBytes(-1)], /-1 bytes needed/],
      [[0x0f], /invalid tag 15 at byte 0/],
      [[0x00], /invalid tag 0 at byte 0/],
      [[0x0a, 0x00], /field 1 has wire type 2, expected 0 at byte 1/],
      [[0x08, 0x01, 0x0c], /field 1 has wire type 4, expected 0 at byte 3/],
      [[0x94, 0x03], /unmatched end-group for field 50 at byte 2/],
      [[0x93, 0x03, 0x08, 0x01], /group for field 50 is not closed at byte 4/],
      [[0x93, 0x03, 0x1c], /unmatched end-group for field 3 at byte 3/],
      // graph { name: length 9 with 1 byte left }: the offset is absolute, inside the sub-message.
      [[0x3a, 0x03, 0x12, 0x09, 0x41, 0x08, 0x08], /9 bytes needed, 1 left at byte 4/],
    ];
    for (const [bytes, message] of cases) {
      const e = error(bytes);
      expect(e, bytes.join(',')).toBeInstanceOf(Error);
      expect(e!.constructor).toBe(Error);
      expect(e!.message).toMatch(/^protobuf: /);
      expect(e!.message).toMatch(message);
    }
  });

  it('bounds the nesting of types instead of overflowing the stack', () => {
    // A graph output typed seq(seq(seq(...))), 1,000 deep.
    let type = (t: ProtoWriter) => void t;
    for (let i = 0; i < 1000; i++) {
      const inner = type;
      type = (t) => void t.message(4, (seq) => seq.message(1, inner));
    }
    const bytes = new ProtoWriter().message(7, (g) => g.message(12, (v) => v.string(1, 'y').message(2, type))).finish();
    expect(() => decodeModel(bytes)).toThrow(/^ONNX: messages nested deeper than 32 at byte \d+$/);
  });

  it('every truncation of a model throws, except at a field boundary of the top message', () => {
    for (const name of [...PY_FIXTURES, 'bike']) {
      const bytes = name === 'bike' ? bikeBytes : fixture(name);
      const boundaries = new Set<number>();
      const r = new ProtoReader(bytes);
      while (r.next()) {
        r.skip();
        boundaries.add(r.pos);
      }
      const cuts = name === 'bike' ? Array.from({ length: 300 }, (_, i) => Math.floor((i * bytes.length) / 300) + (i % 7)) : bytes.keys();
      for (const cut of cuts) {
        const e = error(bytes.subarray(0, cut));
        if (cut === 0 || boundaries.has(cut)) expect(e, `${name} cut at ${cut}`).toBeUndefined();
        else expect(e?.message, `${name} cut at ${cut}`).toMatch(/^protobuf: .* at byte \d+$/);
      }
    }
  });

  it('garbage bytes decode or throw a plain Error, never a RangeError or a hang', () => {
    let s = 12345;
    const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
    const seeds = [bikeBytes.subarray(0, 2000), ...PY_FIXTURES.map(fixture)];
    let thrown = 0;
    for (let i = 0; i < 3000; i++) {
      let bytes: Uint8Array;
      if (i % 2) bytes = Uint8Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
      else {
        bytes = seeds[i % seeds.length]!.slice();
        for (let k = 0; k < 1 + rand() * 4; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      }
      const e = error(bytes);
      if (!e) continue;
      thrown++;
      expect(e.constructor, e.message).toBe(Error);
      expect(e.message).toMatch(/^(protobuf|ONNX): .* at byte \d+$/);
    }
    expect(thrown).toBeGreaterThan(1000);
  });
});
