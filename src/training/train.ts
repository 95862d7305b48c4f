import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createPredictor } from '../index.js';
import { assembleBundle } from './assemble.js';
import { bikeManifestMeta, fitBike, score, typicalWeather } from './bike-model.js';
import { buildReference } from './reference.js';
import { uciToRecord, type UciDay } from '../schema/uci.js';
import { dataDir, readDayCsv } from './uci.js';

/**
 * `npm run train`: fits the bike-daily bundle from UCI day.csv.
 * 1. Chronological holdout: fit on days before 2012-09-01, predict 2012-09-01..12-31 through the
 *    library (the exported ONNX model, not the trainer in memory) → holdout.csv and metrics.
 * 2. Refit on all 731 days → the shipped model.onnx + manifest.json (+ typical-weather.json).
 * `--validate` instead scores the recipe on validation folds that end before the holdout: the
 * only numbers settings may be chosen on.
 */

const HOLDOUT_FROM = '2012-09-01';
/** Rolling origins inside the training period: fit before `from`, score `from`..`to` (exclusive). */
const VALIDATION_FOLDS = [
  { from: '2012-03-01', to: '2012-07-01' },
  { from: '2012-05-01', to: HOLDOUT_FROM },
  { from: '2012-07-01', to: HOLDOUT_FROM },
] as const;

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string', default: 'models/bike-daily' },
    validate: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`Usage: npm run train -- [--data DIR] [--out DIR] [--validate]
  --data DIR  folder with UCI day.csv (default: $FEATURECAST_DATA_DIR or ../shared/data/bike-sharing)
  --out DIR   where to write the bundle (default: models/bike-daily)
  --validate  score the recipe on validation folds before ${HOLDOUT_FROM}; writes nothing`);
  process.exit(0);
}

const started = performance.now();
const log = (message: string) => process.stderr.write(`${message}\n`);
const progress = (label: string) => (round: number, trees: number) => {
  if (trees % 100 === 0) process.stderr.write(`\r${label}: backfit round ${round + 1}, ${trees} trees   `);
};

async function predictThroughLibrary(bundle: ReturnType<typeof assembleBundle>, days: readonly UciDay[]): Promise<number[]> {
  const predictor = await createPredictor(bundle, { worker: false });
  try {
    const out = await predictor.predictBatch(days.map(uciToRecord));
    return out.map((p) => p.rentals as number);
  } finally {
    await predictor.dispose();
  }
}

/** The recipe fitted on `before`, exported, and run through the library on `later`: one honest forecast. */
async function forecastAfter(before: readonly UciDay[], later: readonly UciDay[], meta: { createdAt: string; split: string }, onProgress?: ReturnType<typeof progress>): Promise<number[]> {
  const fit = fitBike(before, undefined, onProgress);
  return predictThroughLibrary(assembleBundle(fit.trained, bikeManifestMeta(fit, before, { ...meta, metrics: {} })), later);
}

async function validate(days: readonly UciDay[]): Promise<void> {
  for (const { from, to } of VALIDATION_FOLDS) {
    const before = days.filter((d) => d.dteday < from);
    const scored = days.filter((d) => d.dteday >= from && d.dteday < to);
    const predicted = await forecastAfter(before, scored, { createdAt: new Date(0).toISOString(), split: `fit < ${from}` });
    const s = score(scored.map((d) => d.cnt), predicted);
    console.log(`fit < ${from}, score ${from}..${to} (${s.rows} days): MAE ${s.mae}, RMSE ${s.rmse}, R² ${s.r2}, bias ${s.bias}`);
  }
}

async function main(): Promise<void> {
  const days = readDayCsv(resolve(args.data ?? dataDir(), 'day.csv'));
  if (args.validate) return validate(days);
  const createdAt = process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000).toISOString() : new Date().toISOString();
  const out = resolve(args.out!);
  mkdirSync(out, { recursive: true });

  const before = days.filter((d) => d.dteday < HOLDOUT_FROM);
  const holdout = days.filter((d) => d.dteday >= HOLDOUT_FROM);
  const split = `chronological: fit on ${before[0]!.dteday}..${before[before.length - 1]!.dteday}, holdout ${holdout[0]!.dteday}..${holdout[holdout.length - 1]!.dteday}`;
  const predicted = await forecastAfter(before, holdout, { createdAt, split }, progress('holdout model'));
  const holdoutScores = { ...score(holdout.map((d) => d.cnt), predicted), from: holdout[0]!.dteday, to: holdout[holdout.length - 1]!.dteday };
  log(`\nholdout ${holdoutScores.from}..${holdoutScores.to}: MAE ${holdoutScores.mae}, RMSE ${holdoutScores.rmse}, R² ${holdoutScores.r2}, bias ${holdoutScores.bias}`);
  const csv = ['date,actual,predicted', ...holdout.map((d, i) => `${d.dteday},${d.cnt},${predicted[i]!.toFixed(1)}`)].join('\n');
  writeFileSync(resolve(out, 'holdout.csv'), `${csv}\n`);

  const finalFit = fitBike(days, undefined, progress('shipped model'));
  const shippedSplit = `refit on all ${days.length} days; metrics.holdout is from the same recipe fitted before ${HOLDOUT_FROM} (${split})`;
  const provisional = assembleBundle(finalFit.trained, bikeManifestMeta(finalFit, days, { createdAt, split: shippedSplit, metrics: {} }));
  const fitted = await predictThroughLibrary(provisional, days);
  const inSample = { ...score(days.map((d) => d.cnt), fitted), from: days[0]!.dteday, to: days[days.length - 1]!.dteday };
  // Output reference level-free, as the monitor observes it: fitted / level of the day's year.
  const byYear = provisional.manifest.output.level?.byYear ?? {};
  const levelFree = fitted.map((v, i) => v / (byYear[days[i]!.dteday.slice(0, 4)] ?? 1));
  const reference = buildReference(provisional.manifest.inputs, days.map(uciToRecord) as unknown as Record<string, unknown>[], levelFree, 'date');
  const meta = bikeManifestMeta(finalFit, days, { createdAt, split: shippedSplit, metrics: { holdout: holdoutScores, training: inSample } });
  const bundle = assembleBundle(finalFit.trained, { ...meta, reference });
  log(`\nshipped model, in-sample on ${days.length} days: MAE ${inSample.mae}, R² ${inSample.r2}; level by year ${JSON.stringify(bundle.manifest.output.level?.byYear)}`);

  writeFileSync(resolve(out, 'model.onnx'), bundle.model);
  writeFileSync(resolve(out, 'manifest.json'), `${JSON.stringify(bundle.manifest, null, 2)}\n`);
  const typical = { source: `UCI Bike Sharing day.csv ${days[0]!.dteday}..${days[days.length - 1]!.dteday}: means within ±7 days of each day of year`, days: typicalWeather(days) };
  writeFileSync(resolve(out, 'typical-weather.json'), `${JSON.stringify(typical)}\n`);
  log(`wrote ${out}/{model.onnx (${bundle.model.byteLength} bytes), manifest.json, holdout.csv, typical-weather.json} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
