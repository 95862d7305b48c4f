/**
 * The subset of ONNX (onnx-ml.proto, IR 8) that featurecast writes and reads, as plain objects.
 * A field is present in an object exactly when it is on the wire; a repeated field with no
 * elements is left out, as protobuf cannot tell it from an absent one. Fields outside the subset
 * are skipped when decoding, so decode → encode drops them; a singular field that occurs twice
 * keeps its last value (protobuf would merge messages, which ONNX writers never need).
 */
import { ProtoReader, ProtoWriter, WIRE } from './protobuf.js';

export interface OnnxModel {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph?: OnnxGraph;
  opsetImport?: OnnxOpset[];
  metadataProps?: OnnxStringEntry[];
}

export interface OnnxOpset {
  /** '' (present) is the default ONNX domain. */
  domain?: string;
  version?: number;
}

export interface OnnxStringEntry {
  key?: string;
  value?: string;
}

export interface OnnxGraph {
  node?: OnnxNode[];
  name?: string;
  initializer?: OnnxTensor[];
  docString?: string;
  input?: OnnxValueInfo[];
  output?: OnnxValueInfo[];
}

export interface OnnxNode {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  attribute?: OnnxAttribute[];
  docString?: string;
  domain?: string;
}

export interface OnnxAttribute {
  name?: string;
  f?: number;
  i?: number;
  /** bytes on the wire, UTF-8 text by the ONNX spec. */
  s?: string;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
  strings?: string[];
  /** An {@link AttributeType}. */
  type?: number;
}

export interface OnnxTensor {
  dims?: number[];
  /** A {@link DataType}. */
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  stringData?: string[];
  int64Data?: number[];
  name?: string;
  /** Little-endian values; decoding gives a view into the input bytes, not a copy. */
  rawData?: Uint8Array;
  doubleData?: number[];
}

export interface OnnxValueInfo {
  name?: string;
  type?: OnnxType;
}

/** One of tensorType / sequenceType / mapType; empty for kinds outside the subset. */
export interface OnnxType {
  tensorType?: { elemType?: number; shape?: OnnxShape };
  sequenceType?: { elemType?: OnnxType };
  mapType?: { keyType?: number; valueType?: OnnxType };
}

/** An absent shape is an unknown rank; `{}` is a scalar. */
export interface OnnxShape {
  dim?: OnnxDim[];
}

/** `{}` is an unknown dimension. */
export interface OnnxDim {
  dimValue?: number;
  dimParam?: string;
}

/** onnx.TensorProto.DataType, the values featurecast meets. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 } as const;
/** onnx.AttributeProto.AttributeType, for the kinds in the subset. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

// The codec is driven by these tables, each in field-number order: protobuf serializers write
// fields in that order, and matching it keeps our bytes identical to protobufjs' and onnx's.
type Scalar = 'int' | 'float' | 'double' | 'string' | 'bytes';
/** `packed`: one length-delimited run; `each`: one tagged value per element (proto2's default). */
type Field = [no: number, key: string, type: Scalar | Schema, repeated?: 'packed' | 'each'];
type Schema = Field[];

const dimension: Schema = [
  [1, 'dimValue', 'int'],
  [2, 'dimParam', 'string'],
];
const shape: Schema = [[1, 'dim', dimension, 'each']];
const typeProto: Schema = [];
typeProto.push(
  [
    1,
    'tensorType',
    [
      [1, 'elemType', 'int'],
      [2, 'shape', shape],
    ],
  ],
  [4, 'sequenceType', [[1, 'elemType', typeProto]]],
  [
    5,
    'mapType',
    [
      [1, 'keyType', 'int'],
      [2, 'valueType', typeProto],
    ],
  ],
);
const valueInfo: Schema = [
  [1, 'name', 'string'],
  [2, 'type', typeProto],
];
const tensor: Schema = [
  [1, 'dims', 'int', 'each'], // not [packed=true] in onnx.proto, unlike the data fields
  [2, 'dataType', 'int'],
  [4, 'floatData', 'float', 'packed'],
  [5, 'int32Data', 'int', 'packed'],
  [6, 'stringData', 'string', 'each'],
  [7, 'int64Data', 'int', 'packed'],
  [8, 'name', 'string'],
  [9, 'rawData', 'bytes'],
  [10, 'doubleData', 'double', 'packed'],
];
const attribute: Schema = [
  [1, 'name', 'string'],
  [2, 'f', 'float'],
  [3, 'i', 'int'],
  [4, 's', 'string'],
  [5, 't', tensor],
  // Unpacked in onnx.proto; packed is valid protobuf that every parser reads, and half the size.
  [7, 'floats', 'float', 'packed'],
  [8, 'ints', 'int', 'packed'],
  [9, 'strings', 'string', 'each'],
  [20, 'type', 'int'],
];
const node: Schema = [
  [1, 'input', 'string', 'each'],
  [2, 'output', 'string', 'each'],
  [3, 'name', 'string'],
  [4, 'opType', 'string'],
  [5, 'attribute', attribute, 'each'],
  [6, 'docString', 'string'],
  [7, 'domain', 'string'],
];
const graph: Schema = [
  [1, 'node', node, 'each'],
  [2, 'name', 'string'],
  [5, 'initializer', tensor, 'each'],
  [10, 'docString', 'string'],
  [11, 'input', valueInfo, 'each'],
  [12, 'output', valueInfo, 'each'],
];
const model: Schema = [
  [1, 'irVersion', 'int'],
  [2, 'producerName', 'string'],
  [3, 'producerVersion', 'string'],
  [4, 'domain', 'string'],
  [5, 'modelVersion', 'int'],
  [6, 'docString', 'string'],
  [7, 'graph', graph],
  [
    8,
    'opsetImport',
    [
      [1, 'domain', 'string'],
      [2, 'version', 'int'],
    ],
    'each',
  ],
  [
    14,
    'metadataProps',
    [
      [1, 'key', 'string'],
      [2, 'value', 'string'],
    ],
    'each',
  ],
];

/** Bounds the recursion of TypeProto (seq(map(..., seq(...)))) on hostile input. */
const MAX_DEPTH = 32;

type Obj = Record<string, unknown>;

export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  encode(w, m as Obj, model);
  return w.finish();
}

export function decodeModel(bytes: Uint8Array): OnnxModel {
  return decode(new ProtoReader(bytes), model, 0) as OnnxModel;
}

function encode(w: ProtoWriter, obj: Obj, schema: Schema): void {
  for (const [no, key, type, repeated] of schema) {
    const value = obj[key];
    if (value === undefined) continue;
    if (repeated === 'packed') {
      const values = value as number[];
      if (type === 'int') w.packedInt64s(no, values);
      else if (type === 'double') w.packedDoubles(no, values);
      else w.packedFloats(no, values);
    } else if (repeated) for (const v of value as unknown[]) encodeOne(w, no, type, v);
    else encodeOne(w, no, type, value);
  }
}

function encodeOne(w: ProtoWriter, no: number, type: Scalar | Schema, v: unknown): void {
  if (type === 'int') w.int64(no, v as number);
  else if (type === 'float') w.float(no, v as number);
  else if (type === 'string') w.string(no, v as string);
  else if (type === 'bytes') w.bytes(no, v as Uint8Array);
  else if (type === 'double') w.double(no, v as number);
  else w.message(no, () => encode(w, v as Obj, type));
}

function decode(r: ProtoReader, schema: Schema, depth: number): Obj {
  if (depth > MAX_DEPTH) throw new Error(`ONNX: messages nested deeper than ${MAX_DEPTH} at byte ${r.pos}`);
  const obj: Obj = {};
  let field: Field | undefined;
  while (r.next()) {
    // Repeated fields come as runs of one field number (a tree's thousands of nodes_modes strings).
    if (field?.[0] !== r.field) field = fieldOf(schema, r.field);
    if (!field) {
      r.skip();
      continue;
    }
    // Indexed, not destructured: destructuring iterates, and allocates, while the code is cold.
    const key = field[1];
    const type = field[2];
    const repeated = field[3];
    if (repeated && (type === 'int' || type === 'float' || type === 'double')) {
      // Either encoding is accepted whatever the table says, as protobuf parsers must.
      obj[key] = r.repeated(obj[key] as number[] | undefined, type === 'int' ? WIRE.VARINT : type === 'double' ? WIRE.I64 : WIRE.I32);
      continue;
    }
    const value =
      type === 'int'
        ? r.int64()
        : type === 'float'
          ? r.float()
          : type === 'double'
            ? r.double()
            : type === 'string'
              ? r.string()
              : type === 'bytes'
                ? r.bytes()
                : decode(r.message(), type, depth + 1);
    if (repeated) ((obj[key] ??= []) as unknown[]).push(value);
    else obj[key] = value;
  }
  return obj;
}

function fieldOf(schema: Schema, no: number): Field | undefined {
  for (const field of schema) if (field[0] === no) return field;
  return undefined;
}

/** A type as onnxruntime prints it, e.g. `seq(map(int64,tensor(float)))` for scikit-learn's ZipMap output. */
export function formatType(t: OnnxType | undefined): string {
  const elem = (n?: number) =>
    n === undefined
      ? '?'
      : (Object.entries(DataType)
          .find(([, v]) => v === n)?.[0]
          .toLowerCase() ?? `type${n}`);
  if (t?.tensorType) return `tensor(${elem(t.tensorType.elemType)})`;
  if (t?.sequenceType) return `seq(${formatType(t.sequenceType.elemType)})`;
  if (t?.mapType) return `map(${elem(t.mapType.keyType)},${formatType(t.mapType.valueType)})`;
  return '?';
}
