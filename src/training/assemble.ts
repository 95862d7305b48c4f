import { createHash } from 'node:crypto';
import { compilePipeline, type Pipeline } from '../features/pipeline.js';
import { fitPipeline, type DraftField, type DraftStep } from '../features/fit.js';
import { FORMAT_VERSION, type Manifest } from '../schema/manifest.js';
import { trainGbdt, type Ensemble, type GbdtParams } from './gbdt.js';
import { ensembleToOnnx } from './onnx-export.js';

/**
 * Training → bundle: fit the pipeline on raw records, encode them with the very pipeline the
 * library runs at prediction time, train the trees, export ONNX and write the manifest.
 */

export interface TrainSpec {
  fields: readonly DraftField[];
  steps: readonly DraftStep[];
  records: readonly Record<string, unknown>[];
  /** Training target per record, already transformed (e.g. log rentals minus log level). */
  target: ArrayLike<number>;
  params: GbdtParams;
  onProgress?: (treesDone: number, total: number) => void;
}

export interface Trained {
  pipeline: Pipeline;
  fitted: Pick<Manifest, 'inputs' | 'features'>;
  ensemble: Ensemble;
  trainLoss: number[];
  /** The encoded training matrix (float32, as the model sees it). */
  matrix: Float32Array;
}

export function trainModel(spec: TrainSpec): Trained {
  const fitted = fitPipeline(spec.fields, spec.steps, spec.records);
  const pipeline = compilePipeline(fitted.inputs, fitted.features);
  const { matrix } = pipeline.encode(spec.records);
  const { ensemble, trainLoss } = trainGbdt(Float64Array.from(matrix), pipeline.width, spec.target, spec.params, spec.onProgress);
  ensemble.featureNames = [...pipeline.columns];
  return { pipeline, fitted, ensemble, trainLoss, matrix };
}

export type ManifestMeta = Omit<Manifest, 'formatVersion' | 'inputs' | 'features' | 'model'>;

export const MODEL_IO = { inputName: 'features', outputName: 'prediction' } as const;

/** The ONNX bytes and a manifest that pins them by sha256. */
export function assembleBundle(trained: Trained, meta: ManifestMeta, file = 'model.onnx'): { manifest: Manifest; model: Uint8Array } {
  const model = ensembleToOnnx(trained.ensemble, { ...MODEL_IO, producerName: 'featurecast', docString: meta.name });
  const manifest: Manifest = {
    formatVersion: FORMAT_VERSION,
    ...meta,
    inputs: trained.fitted.inputs,
    features: trained.fitted.features,
    model: {
      file,
      sha256: createHash('sha256').update(model).digest('hex'),
      bytes: model.byteLength,
      ...MODEL_IO,
      columns: [...trained.pipeline.columns],
    },
  };
  return { manifest, model };
}
