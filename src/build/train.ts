import { SpecError } from '../errors.js';
import type { CivilDate } from '../features/calendar.js';
import { predictEnsemble, trainGbdt, type Ensemble, type GbdtParams } from './gbdt.js';
import { ensembleToOnnx } from './onnx-export.js';
import { bundleModel, type Bundle, type BundleOptions } from './bundle.js';
import { compileFitted } from './features.js';
import type { FittedPipeline } from './fit.js';
import { histogramOf } from './reference.js';
import { BadRows, rowsOf, type DataSource, type ReadOptions } from './rows.js';

/**
 * `train`: the built-in gradient-boosted trees on the pipeline's own features, exported as an
 * ONNX TreeEnsembleRegressor, bundled with the pipeline. With `output.level` and no `byYear`,
 * a per-year demand level is backfitted with the trees (see fitLevel).
 */

export type { GbdtParams } from './gbdt.js';

/** Defaults of the built-in trainer; docs/pipeline-spec.md explains each. */
export const DEFAULT_PARAMS: GbdtParams = {
  nTrees: 300,
  maxDepth: 4,
  learningRate: 0.05,
  minSamplesLeaf: 5,
  subsample: 0.8,
  maxBins: 64,
  l2: 1,
  seed: 42,
};

/** Backfitting rounds of level and trees. */
const LEVEL_ROUNDS = 3;

export interface TrainOptions extends ReadOptions, Omit<BundleOptions, 'outputReference' | 'levelByYear'> {
  /** The data column holding what the model learns to predict. */
  target: string;
  params?: Partial<GbdtParams>;
}

/** What training produced besides the bundle: the ensemble and the data it saw, for scripts that evaluate it. */
export interface Trained {
  bundle: Bundle;
  ensemble: Ensemble;
  /** The level per year, when the output has one (1 for the first year). */
  levelByYear: Record<string, number> | undefined;
  /** MSE of the transformed target after each tree (last backfitting round). */
  trainLoss: number[];
}

/** Trains on `data` (which must hold the inputs and the target) and bundles the model. */
export async function trainModel(pipeline: FittedPipeline, data: DataSource, options: TrainOptions): Promise<Trained> {
  if (pipeline.output.kind === 'classification') {
    throw new SpecError(
      'featurecast train builds regressors; train a classifier elsewhere (e.g. XGBoost, scikit-learn) and bundle it with featurecast bundle',
    );
  }
  const params = { ...DEFAULT_PARAMS, ...options.params };
  const { matrix, target, years, months, rows } = await readTraining(pipeline, data, options);
  const width = pipeline.columns.length;
  const { transform = 'identity', level } = pipeline.output;
  if (level && transform !== 'log') throw new SpecError('output.level is multiplicative, so training it needs output.transform "log"');
  const logLevel = new Map<number, number>(
    years ? [...new Set(years)].map((y) => [y, level?.byYear ? Math.log(level.byYear[String(y)] ?? 1) : 0]) : [],
  );
  const adjusted = () => (years ? target.map((v, i) => v - logLevel.get(years[i]!)!) : target);
  const progress = (round: number, rounds: number) => (done: number, total: number) =>
    options.onProgress?.({ stage: rounds > 1 ? `train ${round + 1}/${rounds}` : 'train', done, total, unit: 'trees' });
  const x = Float64Array.from(matrix);
  const fitLevel = years !== undefined && !level?.byYear;
  const rounds = fitLevel ? LEVEL_ROUNDS + 1 : 1;
  let result = trainGbdt(x, width, adjusted(), params, progress(0, rounds));
  for (let round = 1; round < rounds; round++) {
    const residual = adjusted().map((v, i) => v - predictEnsemble(result.ensemble, matrix.subarray(i * width, i * width + width)));
    updateLevel(years!, residual, logLevel);
    result = trainGbdt(x, width, adjusted(), params, progress(round, rounds));
  }
  const { ensemble } = result;
  ensemble.featureNames = [...pipeline.columns];
  const levelByYear = years ? levelToManifest(logLevel) : undefined;
  const inverse = transform === 'log' ? Math.exp : transform === 'log1p' ? Math.expm1 : (v: number) => v;
  const clampMin = pipeline.output.clampMin ?? -Infinity;
  const levelFree = Array.from({ length: rows }, (_, i) =>
    Math.max(clampMin, inverse(predictEnsemble(ensemble, matrix.subarray(i * width, i * width + width)))),
  );
  const model = ensembleToOnnx(ensemble, {
    inputName: 'features',
    outputName: 'prediction',
    producerName: 'featurecast',
    docString: pipeline.name,
  });
  const bundle = await bundleModel(pipeline, model, {
    ...options,
    training: {
      ...options.training,
      seed: params.seed,
      params: { ...params, target: describeTarget(options.target, transform, !!level), ...options.training?.params },
    },
    outputReference: histogramOf(levelFree, months),
    ...(levelByYear ? { levelByYear } : {}),
  });
  return { bundle, ensemble, levelByYear, trainLoss: result.trainLoss };
}

function describeTarget(target: string, transform: string, level: boolean): string {
  const t = transform === 'identity' ? target : `${transform}(${target})`;
  return level ? `${t} - log(level[year])` : t;
}

/** The encoded features, the transformed target and (with a level) each row's year; bad rows fail it, all named. */
async function readTraining(pipeline: FittedPipeline, data: DataSource, options: TrainOptions) {
  const compiled = compileFitted(pipeline);
  const { transform = 'identity', level } = pipeline.output;
  const levelSlot = level ? pipeline.inputs.findIndex((f) => f.name === level.input) : -1;
  const monthSlot =
    pipeline.reference.monthsOf === undefined ? -1 : pipeline.inputs.findIndex((f) => f.name === pipeline.reference.monthsOf);
  const chunks: Float32Array[] = [];
  const target: number[] = [];
  const years: number[] = [];
  const months: number[] = [];
  const bad = new BadRows();
  let chunk: Array<{ record: Record<string, unknown>; line: number }> = [];
  const flush = () => {
    const encoded = compiled.encode(
      chunk.map((r) => r.record),
      {
        invalid: 'report',
        onRow: (values) => {
          if (levelSlot >= 0) years.push((values[levelSlot] as CivilDate).year);
          if (monthSlot >= 0) months.push((values[monthSlot] as CivilDate).month);
        },
      },
    );
    for (const issue of encoded.issues) bad.add([issue], chunk[issue.index]!.line);
    chunk.forEach(({ record, line }, i) => {
      if (encoded.rejected?.[i]) return;
      const y = record[options.target];
      const value = typeof y === 'number' ? y : typeof y === 'string' && y.trim() !== '' ? Number(y) : NaN;
      const t = transform === 'log' ? Math.log(value) : transform === 'log1p' ? Math.log1p(value) : value;
      if (!Number.isFinite(t)) {
        const why =
          y === undefined || y === null || y === ''
            ? 'the target is missing'
            : `the target ${JSON.stringify(y)} is not a number${transform === 'identity' ? '' : ` the ${transform} transform takes`}`;
        bad.add([{ index: 0, path: options.target, kind: 'type', message: why, received: y }], line);
      }
      target.push(t);
    });
    const nan = encoded.matrix.findIndex((v) => !Number.isFinite(v));
    if (nan >= 0) {
      const row = chunk[Math.floor(nan / compiled.width)]!;
      const column = compiled.columns[nan % compiled.width];
      bad.add(
        [
          {
            index: 0,
            path: String(column),
            kind: 'type',
            message: `feature ${column} is not finite (a missing value?): the built-in trainer needs every value; train elsewhere for missing values`,
            received: null,
          },
        ],
        row.line,
      );
    }
    chunks.push(encoded.matrix);
    chunk = [];
  };
  for await (const row of rowsOf(data, pipeline.inputs, { ...options, stage: options.stage ?? 'read' })) {
    chunk.push(row);
    if (chunk.length === 4096) flush();
  }
  if (chunk.length) flush();
  bad.throwIfAny(data, 'train');
  const rows = target.length;
  if (!rows) throw new SpecError('No training rows');
  const matrix = new Float32Array(rows * compiled.width);
  let at = 0;
  for (const c of chunks) {
    matrix.set(c, at);
    at += c.length;
  }
  return { matrix, target, years: levelSlot >= 0 ? years : undefined, months: monthSlot >= 0 ? months : null, rows };
}

/**
 * One backfitting update: each year's log level moves by its mean residual, then all shift so
 * the first year is 1. Trees cannot carry a level shift forward (bike demand grew ~65 % in a
 * year), so the level explains what is left per year.
 */
function updateLevel(years: readonly number[], residual: readonly number[], logLevel: Map<number, number>): void {
  const sums = new Map<number, { sum: number; n: number }>();
  years.forEach((y, i) => {
    const s = sums.get(y) ?? { sum: 0, n: 0 };
    s.sum += residual[i]!;
    s.n++;
    sums.set(y, s);
  });
  for (const [year, { sum, n }] of sums) logLevel.set(year, (logLevel.get(year) ?? 0) + sum / n);
  const shift = logLevel.get(Math.min(...logLevel.keys()))!;
  for (const [year, value] of logLevel) logLevel.set(year, value - shift);
}

function levelToManifest(logLevel: ReadonlyMap<number, number>): Record<string, number> {
  const byYear: Record<string, number> = {};
  for (const [year, value] of [...logLevel].sort((a, b) => a[0] - b[0])) byYear[String(year)] = Number(Math.exp(value).toPrecision(8));
  return byYear;
}
