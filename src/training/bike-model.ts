import type { Manifest } from '../schema/manifest.js';
import { epochDay, parseIsoDate } from '../features/calendar.js';
import { assembleBundle, trainModel, type Trained } from './assemble.js';
import { BIKE_FIELDS, BIKE_OUTPUT, BIKE_STEPS, BUSYNESS_LABELS } from './bike.js';
import { predictEnsemble, type GbdtParams } from './gbdt.js';
import { levelToManifest, updateLevel } from './level.js';
import { uciToRecord, WEATHER, type BikeRecord, type UciDay } from '../schema/uci.js';

/** Fitting the bike-daily model on a set of UCI days: level backfitting, trees, bands, typical weather. */

/** Chosen on validation folds inside the training period (`npm run train -- --validate`), never on the holdout. */
export const BIKE_PARAMS: GbdtParams = { nTrees: 300, maxDepth: 4, learningRate: 0.05, minSamplesLeaf: 5, subsample: 0.8, maxBins: 64, l2: 1, seed: 42 };
const BACKFIT_ROUNDS = 3;
/** Busyness bands: quantiles of the latest year's daily rentals. */
const BAND_QUANTILES = [0.25, 0.6, 0.85];

export interface BikeFit {
  trained: Trained;
  logLevel: Map<number, number>;
  thresholds: number[];
}

const yearOf = (date: string) => Number(date.slice(0, 4));

export function fitBike(days: readonly UciDay[], params: GbdtParams = BIKE_PARAMS, onProgress?: (round: number, trees: number) => void): BikeFit {
  const records = days.map(uciToRecord) as unknown as Record<string, unknown>[];
  const years = days.map((d) => yearOf(d.dteday));
  const logCnt = days.map((d) => Math.log(Math.max(d.cnt, 1)));
  const logLevel = new Map(years.map((y) => [y, 0]));
  const fit = (round: number) =>
    trainModel({
      fields: BIKE_FIELDS,
      steps: BIKE_STEPS,
      records,
      target: logCnt.map((v, i) => v - logLevel.get(years[i]!)!),
      params,
      onProgress: (trees) => onProgress?.(round, trees),
    });
  for (let round = 0; round < BACKFIT_ROUNDS; round++) {
    const trained = fit(round);
    const w = trained.pipeline.width;
    const residual = logCnt.map(
      (v, i) => v - logLevel.get(years[i]!)! - predictEnsemble(trained.ensemble, trained.matrix.subarray(i * w, i * w + w)),
    );
    updateLevel(years, residual, logLevel);
  }
  const trained = fit(BACKFIT_ROUNDS);
  const lastYear = Math.max(...years);
  const recent = days.filter((d) => yearOf(d.dteday) === lastYear).map((d) => d.cnt);
  return { trained, logLevel, thresholds: BAND_QUANTILES.map((q) => Math.round(quantile(recent, q))) };
}

export function bikeManifestMeta(fit: BikeFit, days: readonly UciDay[], extra: Pick<Manifest, 'metrics' | 'createdAt'> & { split: string }) {
  const [t1, t2, t3] = fit.thresholds;
  return {
    name: 'bike-daily',
    version: '1.0.0',
    createdAt: extra.createdAt,
    description:
      'Expected daily bike rentals (Capital Bikeshare, Washington DC) from a date and a weather forecast, with a busyness level for riders.',
    training: {
      dataset: 'UCI Bike Sharing, day.csv (dataset 275)',
      citation:
        'Fanaee-T, Hadi, and Gama, Joao, "Event labeling combining ensemble detectors and background knowledge", Progress in Artificial Intelligence (2013), doi:10.1007/s13748-013-0040-3',
      rows: days.length,
      from: days[0]!.dteday,
      to: days[days.length - 1]!.dteday,
      split: extra.split,
      seed: BIKE_PARAMS.seed,
      params: { ...BIKE_PARAMS, target: 'log(rentals) - log(level[year])', backfitRounds: BACKFIT_ROUNDS },
    },
    output: {
      ...BIKE_OUTPUT,
      level: { input: 'date', ...levelToManifest(fit.logLevel) },
      bands: {
        name: 'busyness',
        thresholds: fit.thresholds,
        labels: [...BUSYNESS_LABELS],
        description: `Quartile-style bands of ${yearOf(days[days.length - 1]!.dteday)} daily rentals: quiet < ${t1} (25th percentile) ≤ normal < ${t2} (60th) ≤ busy < ${t3} (85th) ≤ very busy`,
      },
    },
    metrics: extra.metrics,
    extras: { typicalWeather: 'typical-weather.json' },
  } satisfies Parameters<typeof assembleBundle>[1];
}

export interface Scores {
  mae: number;
  rmse: number;
  r2: number;
  bias: number;
  rows: number;
}

export function score(actual: readonly number[], predicted: readonly number[]): Scores {
  const n = actual.length;
  const mean = actual.reduce((a, b) => a + b, 0) / n;
  let abs = 0;
  let sq = 0;
  let tot = 0;
  let bias = 0;
  for (let i = 0; i < n; i++) {
    const e = predicted[i]! - actual[i]!;
    abs += Math.abs(e);
    sq += e * e;
    tot += (actual[i]! - mean) ** 2;
    bias += e;
  }
  const r = (x: number, digits: number) => Number(x.toFixed(digits));
  return { mae: r(abs / n, 1), rmse: r(Math.sqrt(sq / n), 1), r2: r(1 - sq / tot, 4), bias: r(bias / n, 1), rows: n };
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (at - lo);
}

export interface TypicalDay extends Omit<BikeRecord, 'date' | 'weather'> {
  dayOfYear: number;
  weather: BikeRecord['weather'];
}

/** Typical weather per day of year: means over all training days within ±7 days (any year), and the most common condition. */
export function typicalWeather(days: readonly UciDay[]): TypicalDay[] {
  const records = days.map(uciToRecord);
  const doy = records.map((r) => {
    const d = parseIsoDate(r.date)!;
    return epochDay(d) - epochDay({ year: d.year, month: 1, day: 1 }) + 1;
  });
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return Array.from({ length: 366 }, (_, k) => {
    const day = k + 1;
    const near = records.filter((_, i) => Math.min(Math.abs(doy[i]! - day), 366 - Math.abs(doy[i]! - day)) <= 7);
    const mean = (key: 'temperature' | 'feelsLike' | 'humidity' | 'windSpeed') => round1(near.reduce((s, r) => s + r[key], 0) / near.length);
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
