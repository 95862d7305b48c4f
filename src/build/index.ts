// `featurecast/build`: the build side (Node only): spec → fit → features → train or bundle → check.
export { parseSpec, pipelineSpec } from './spec.js';
export type { PipelineSpec, InputSpec, OutputSpec } from './spec.js';
export { fitPipeline, parsePipeline, PIPELINE_VERSION } from './fit.js';
export type { FittedPipeline } from './fit.js';
export { writeFeatures } from './features.js';
export type { FeaturesOptions } from './features.js';
export { trainModel, DEFAULT_PARAMS } from './train.js';
export type { TrainOptions, Trained, GbdtParams } from './train.js';
export { bundleModel, writeBundle } from './bundle.js';
export type { Bundle, BundleOptions } from './bundle.js';
export { PARITY_TOLERANCE } from './parity.js';
export type { ParityReport } from './parity.js';
export { checkBundle, sampleRecord } from './check.js';
export type { CheckReport } from './check.js';
export type { DataSource, BuildProgress, ReadOptions } from './rows.js';
export { scoreRegression, quantile } from './metrics.js';
export type { RegressionScores } from './metrics.js';
export { readRecords } from './data.js';
