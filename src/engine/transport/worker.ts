import { expose } from 'comlink';
import { ModelEngine } from '../core.js';
import { answerPings, answerRuns, returningErrors, type WorkerApi } from './protocol.js';

/** Worker entry: one ModelEngine per worker, driven over comlink, with `run` and the ping as bare messages (protocol.ts). */

let engine: ModelEngine | undefined;

function loaded(): ModelEngine {
  if (!engine) throw new Error('No bundle loaded in this worker');
  return engine;
}

const api: WorkerApi = {
  async load(source, options, onProgress, prefetched) {
    await engine?.dispose();
    engine = undefined;
    engine = await ModelEngine.load(source, { ...options, onProgress, prefetched });
    engine.warmUp();
    return { manifest: engine.manifest, engine: engine.engine };
  },
  monitorSnapshot: () => loaded().monitorSnapshot(),
  resetMonitor: () => loaded().resetMonitor(),
  matchActuals: (actuals) => loaded().matchActuals(actuals),
  reportMatched: (matched) => loaded().reportMatched(matched),
  calibrateMatched: (matched) => loaded().calibrateMatched(matched),
  setLevelScale: (scale) => loaded().setLevelScale(scale),
  async dispose() {
    await engine?.dispose();
    engine = undefined;
  },
};

// onnxruntime re-runs this script for its pthread workers; those must not answer our messages.
if (!(self as { name?: string }).name?.startsWith('em-pthread')) {
  answerPings(self);
  answerRuns(self, async (records, options) => loaded().run(records, options));
  expose(returningErrors(api));
}
