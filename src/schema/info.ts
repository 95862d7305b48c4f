import type { EngineName } from '../engine/engines/session.js';
import type { InputField, Manifest } from './manifest.js';

/** What an app can show about a loaded bundle: identity, inputs, output, provenance, metrics. */
export interface BundleInfo {
  name: string;
  version: string;
  createdAt: string;
  description: string | undefined;
  /** Raw input fields with type, unit, training range and out-of-range policy. */
  inputs: readonly InputField[];
  output: {
    name: string;
    kind: 'regression' | 'classification';
    /** A classifier's labels, in the order of its probabilities. */
    labels: readonly string[] | undefined;
    unit: string | undefined;
    bands: { name: string; thresholds: readonly number[]; labels: readonly string[]; description?: string | undefined } | undefined;
  };
  /** Demand level per year, when the model has one. */
  levelByYear: Readonly<Record<string, number>> | undefined;
  /** Active calibration factor on the level (1 = as trained); see `predictor.calibrate`. */
  levelScale: number;
  training: Manifest['training'];
  metrics: Manifest['metrics'];
  /** Model input columns, in order. */
  columns: readonly string[];
  /** sha256 of model.onnx. */
  modelSha256: string;
  extras: Readonly<Record<string, string>> | undefined;
  /** What runs the model: the built-in tree engine or onnxruntime-web. */
  engine: EngineName;
}

export function describeBundle(manifest: Manifest, engine: EngineName): BundleInfo {
  const { output } = manifest;
  return {
    name: manifest.name,
    version: manifest.version,
    createdAt: manifest.createdAt,
    description: manifest.description,
    inputs: manifest.inputs,
    output: { name: output.name, kind: output.kind ?? 'regression', labels: output.labels, unit: output.unit, bands: output.bands },
    levelByYear: output.level?.byYear,
    levelScale: 1,
    training: manifest.training,
    metrics: manifest.metrics,
    columns: manifest.model.columns,
    modelSha256: manifest.model.sha256,
    extras: manifest.extras,
    engine,
  };
}
