// TEMPORARY placeholder, not committed
import type { OnnxModel } from '../../../onnx/model.js';
import type { Session, SessionSpec } from '../session.js';
export interface TreeEnsemble {
  x: number;
}
export function readTreeEnsemble(_m: OnnxModel, _s: SessionSpec): TreeEnsemble | { unsupported: string } {
  return { unsupported: 'placeholder' };
}
export async function createTreeSession(_e: TreeEnsemble, _s: SessionSpec): Promise<Session> {
  throw new Error('x');
}
