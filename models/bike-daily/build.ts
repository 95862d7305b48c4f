import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { calendarOf, createPredictor } from 'featurecast';
import {
  fitPipeline,
  quantile,
  readRecords,
  scoreRegression,
  trainModel,
  writeBundle,
  type Bundle,
  type PipelineSpec,
} from 'featurecast/build';
import { uciToRecord, WEATHER, type BikeRecord, type UciDay } from './uci.js';

/**
 * Builds the bike-daily bundle from UCI day.csv with nothing but the public build side
 * (`npm run train`; `--validate` scores the recipe on folds before the holdout instead).
 * 1. Chronological holdout: fit on days before 2012-09-01, predict 2012-09-01..12-31 through the
 *    library (the exported bundle, not the trainer) → holdout.csv and metrics.holdout.
 * 2. Refit on all 731 days → the shipped manifest.json, model.onnx and typical-weather.json.
 */

export const HOLDOUT_FROM = '2012-09-01';
/** Rolling origins inside the training period: fit before `from`, score `from`..`to`. Settings are chosen on these, never on the holdout. */
const VALIDATION_FOLDS = [
  { from: '2012-03-01', to: '2012-07-01' },
  { from: '2012-05-01', to: HOLDOUT_FROM },
  { from: '2012-07-01', to: HOLDOUT_FROM },
] as const;
/** Busyness bands: these quantiles of the last training year's daily rentals. */
const BAND_QUANTILES = [0.25, 0.6, 0.85];
const CITATION =
  'Fanaee-T, Hadi, and Gama, Joao, "Event labeling combining ensemble detectors and background knowledge", Progress in Artificial Intelligence (2013), doi:10.1007/s13748-013-0040-3';

const here = new URL('./', import.meta.url);
const SPEC = JSON.parse(readFileSync(new URL('spec.json', here), 'utf8')) as PipelineSpec;

/** The folder holding UCI day.csv and hour.csv: `FEATURECAST_DATA_DIR`, else ../shared/data/bike-sharing beside the repo. */
export function dataDir(): string {
  return resolve(process.env.FEATURECAST_DATA_DIR ?? new URL('../../../shared/data/bike-sharing', here).pathname);
}

/** UCI day.csv as numbers. */
export async function readDays(file = resolve(dataDir(), 'day.csv')): Promise<UciDay[]> {
  const days: UciDay[] = [];
  try {
    for await (const { record } of readRecords(file)) {
      const day = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, k === 'dteday' ? String(v) : Number(v)]));
      days.push(day as unknown as UciDay);
    }
  } catch (error) {
    throw new Error(
      `Cannot read ${file} (${(error as Error).message}). Get day.csv from the UCI Machine Learning Repository ("Bike Sharing", dataset 275) and point FEATURECAST_DATA_DIR at its folder.`,
    );
  }
  return days;
}

type Row = BikeRecord & { rentals: number };
const rowsOf = (days: readonly UciDay[]): Row[] => days.map((d) => ({ ...uciToRecord(d), rentals: d.cnt }));

/** The spec with busyness bands from the last year of `days`. */
function specFor(days: readonly UciDay[]): PipelineSpec {
  const last = days[days.length - 1]!.dteday.slice(0, 4);
  const recent = days.filter((d) => d.dteday.startsWith(last)).map((d) => d.cnt);
  const thresholds = BAND_QUANTILES.map((q) => Math.round(quantile(recent, q)));
  return { ...SPEC, output: { ...SPEC.output, bands: { ...SPEC.output.bands!, thresholds } } };
}

/** The recipe fitted on `days`: a bundle in memory. */
export async function fitOn(days: readonly UciDay[], extra: { createdAt: string; split: string }, quiet = true) {
  const rows = rowsOf(days);
  const pipeline = await fitPipeline(specFor(days), rows);
  const onProgress = quiet
    ? undefined
    : ({ stage, done, total, unit }: { stage: string; done: number; total?: number; unit: string }) => {
        if (unit === 'trees' && done % 100 === 0) process.stderr.write(`\r${stage}: ${done}/${total} trees   `);
      };
  return trainModel(pipeline, rows, {
    target: 'rentals',
    createdAt: extra.createdAt,
    training: { dataset: 'UCI Bike Sharing, day.csv (dataset 275)', citation: CITATION, split: extra.split },
    extras: { typicalWeather: 'typical-weather.json' },
    ...(onProgress ? { onProgress } : {}),
  });
}

/** Predictions of a bundle for days, through the library as an app makes them. */
export async function predictDays(bundle: Bundle, days: readonly UciDay[]): Promise<number[]> {
  const predictor = await createPredictor(bundle, { worker: false });
  try {
    return (await predictor.predictBatch(days.map(uciToRecord))).map((p) => p.rentals as number);
  } finally {
    await predictor.dispose();
  }
}

/** Typical weather per day of year: means over all days within ±7 days (any year), and the most common condition. */
export function typicalWeather(days: readonly UciDay[]) {
  const records = days.map(uciToRecord);
  const doy = records.map((r) => calendarOf(r.date)!.dayOfYear);
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return Array.from({ length: 366 }, (_, k) => {
    const day = k + 1;
    const near = records.filter((_, i) => Math.min(Math.abs(doy[i]! - day), 366 - Math.abs(doy[i]! - day)) <= 7);
    const mean = (key: 'temperature' | 'feelsLike' | 'humidity' | 'windSpeed') =>
      round1(near.reduce((s, r) => s + r[key], 0) / near.length);
    const counts = WEATHER.map((w) => near.filter((r) => r.weather === w).length);
    return {
      dayOfYear: day,
      temperature: mean('temperature'),
      feelsLike: mean('feelsLike'),
      humidity: mean('humidity'),
      windSpeed: mean('windSpeed'),
      weather: WEATHER[counts.indexOf(Math.max(...counts))]!,
    };
  });
}

async function validate(days: readonly UciDay[]): Promise<void> {
  for (const { from, to } of VALIDATION_FOLDS) {
    const before = days.filter((d) => d.dteday < from);
    const scored = days.filter((d) => d.dteday >= from && d.dteday < to);
    const { bundle } = await fitOn(before, { createdAt: new Date(0).toISOString(), split: `fit < ${from}` });
    const s = scoreRegression(
      scored.map((d) => d.cnt),
      await predictDays(bundle, scored),
    );
    console.log(`fit < ${from}, score ${from}..${to} (${s.rows} days): MAE ${s.mae}, RMSE ${s.rmse}, R² ${s.r2}, bias ${s.bias}`);
  }
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: { data: { type: 'string' }, out: { type: 'string' }, validate: { type: 'boolean', default: false } },
  });
  const started = performance.now();
  const days = await readDays(args.data === undefined ? undefined : resolve(args.data, 'day.csv'));
  if (args.validate) return validate(days);
  const createdAt = process.env.SOURCE_DATE_EPOCH
    ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000).toISOString()
    : new Date().toISOString();
  const out = resolve(args.out ?? new URL('.', here).pathname);

  const before = days.filter((d) => d.dteday < HOLDOUT_FROM);
  const holdout = days.filter((d) => d.dteday >= HOLDOUT_FROM);
  const range = (list: readonly UciDay[]) => ({ from: list[0]!.dteday, to: list[list.length - 1]!.dteday });
  const split = `chronological: fit on ${range(before).from}..${range(before).to}, holdout ${range(holdout).from}..${range(holdout).to}`;
  const early = await fitOn(before, { createdAt, split }, false);
  const predicted = await predictDays(early.bundle, holdout);
  const holdoutScores = {
    ...scoreRegression(
      holdout.map((d) => d.cnt),
      predicted,
    ),
    ...range(holdout),
  };
  process.stderr.write(
    `\nholdout ${holdoutScores.from}..${holdoutScores.to}: MAE ${holdoutScores.mae}, RMSE ${holdoutScores.rmse}, R² ${holdoutScores.r2}, bias ${holdoutScores.bias}\n`,
  );
  writeFileSync(
    resolve(out, 'holdout.csv'),
    `${['date,actual,predicted', ...holdout.map((d, i) => `${d.dteday},${d.cnt},${predicted[i]!.toFixed(1)}`)].join('\n')}\n`,
  );

  const shippedSplit = `refit on all ${days.length} days; metrics.holdout is from the same recipe fitted before ${HOLDOUT_FROM} (${split})`;
  const shipped = await fitOn(days, { createdAt, split: shippedSplit }, false);
  const inSample = {
    ...scoreRegression(
      days.map((d) => d.cnt),
      await predictDays(shipped.bundle, days),
    ),
    ...range(days),
  };
  const bundle = { ...shipped.bundle, manifest: { ...shipped.bundle.manifest, metrics: { holdout: holdoutScores, training: inSample } } };
  process.stderr.write(
    `\nshipped model, in-sample on ${days.length} days: MAE ${inSample.mae}, R² ${inSample.r2}; level by year ${JSON.stringify(bundle.manifest.output.level?.byYear)}\n`,
  );
  await writeBundle(out, bundle);
  const typical = {
    source: `UCI Bike Sharing day.csv ${range(days).from}..${range(days).to}: means within ±7 days of each day of year`,
    days: typicalWeather(days),
  };
  writeFileSync(resolve(out, 'typical-weather.json'), `${JSON.stringify(typical)}\n`);
  process.stderr.write(
    `wrote ${out}/{model.onnx (${bundle.model.byteLength} bytes), manifest.json, holdout.csv, typical-weather.json} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
