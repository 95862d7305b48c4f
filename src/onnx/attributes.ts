import { AttributeType, DataType, type OnnxAttribute, type OnnxValueInfo } from './model.js';

/** Shorthands for writing ONNX nodes: attributes by type, and a float tensor's value info. */

export const ints = (name: string, v: number[]): OnnxAttribute => ({ name, type: AttributeType.INTS, ints: v });
export const floats = (name: string, v: number[]): OnnxAttribute => ({ name, type: AttributeType.FLOATS, floats: v });
export const strings = (name: string, v: string[]): OnnxAttribute => ({ name, type: AttributeType.STRINGS, strings: v });
export const str = (name: string, v: string): OnnxAttribute => ({ name, type: AttributeType.STRING, s: v });
export const int = (name: string, v: number): OnnxAttribute => ({ name, type: AttributeType.INT, i: v });

/** A float32 tensor input or output; a string dimension is symbolic (`'N'`). */
export function tensorInfo(name: string, dims: Array<number | string>): OnnxValueInfo {
  const dim = dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim } } } };
}
