/** The built-in engine for ONNX tree ensembles: read a model, then run it like an onnxruntime session. */
export { readTreeEnsemble } from './read.js';
export { createTreeSession } from './session.js';
export { ensembleStore, readKeptEnsemble } from './stored.js';
export type { TreeEnsemble, Aggregate, PostTransform } from './ensemble.js';
