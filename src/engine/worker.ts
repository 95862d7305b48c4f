import { expose, transfer } from 'comlink';
import { ModelEngine } from './core.js';
import { installErrorTransfer, transferablesOf, type WorkerApi } from './protocol.js';

/** Worker entry: one ModelEngine per worker, driven over comlink. */

let engine: ModelEngine | undefined;

const api: WorkerApi = {
  async load(source, options, onProgress) {
    await engine?.dispose();
    engine = undefined;
    engine = await ModelEngine.load(source, { ...options, onProgress });
    return engine.manifest;
  },
  async run(records, options) {
    if (!engine) throw new Error('No bundle loaded in this worker');
    const columns = await engine.run(records, options);
    return transfer(columns, transferablesOf(columns));
  },
  async dispose() {
    await engine?.dispose();
    engine = undefined;
  },
};

// onnxruntime re-runs this script for its pthread workers; those must not answer our messages.
if (!(self as { name?: string }).name?.startsWith('em-pthread')) {
  installErrorTransfer();
  expose(api);
}
