import type { MonitorSnapshot, Predictor } from 'featurecast';
import { uciToRecord, type BikeRecord } from 'featurecast/bike-daily';
import { addDays } from './dates.js';
import { applyShift, type Shift } from './shift.js';
import { typicalFor, type TypicalWeather } from './weather.js';

/**
 * The drift panel's sample. A 14-day forecast is too few records for drift (the monitor needs
 * 200: below that PSI is mostly sampling noise). So the panel replays the real daily weather of
 * the training years (day.csv, read at build time), with the visitor's shift added. Unshifted,
 * that is the weather the model learned from, so every PSI is 0: the baseline against which a
 * shift stands out.
 *
 * Without day.csv at build time the sample falls back to a year of typical weather. Those are
 * ±7-day averages, with far less day-to-day spread than real days, and the panel says so: PSI
 * rightly flags them on humidity, wind and condition even unshifted.
 */

export interface DriftSample {
  records: readonly BikeRecord[];
  kind: 'daily' | 'typical';
  from: string;
  to: string;
}

export async function loadDriftSample(typical: TypicalWeather): Promise<DriftSample> {
  const { dayWeather } = await import('./day-weather.js');
  if (dayWeather.length) {
    const records = dayWeather.map(([dteday, weathersit, temp, atemp, hum, windspeed]) =>
      uciToRecord({ dteday, weathersit, temp, atemp, hum, windspeed }),
    );
    return { records, kind: 'daily', from: records[0]!.date, to: records[records.length - 1]!.date };
  }
  const from = '2012-01-01';
  const records = Array.from({ length: 366 }, (_, i) => {
    const date = addDays(from, i);
    const t = typicalFor(typical, date);
    return { date, temperature: t.temperature, feelsLike: t.feelsLike, humidity: t.humidity, windSpeed: t.windSpeed, weather: t.weather };
  });
  return { records, kind: 'typical', from, to: addDays(from, 365) };
}

/**
 * Counts only the sample: starts the monitor afresh, predicts the shifted sample, reads the
 * snapshot. The caller runs it exclusively, so no forecast update lands in between.
 */
export async function checkDrift(predictor: Predictor, sample: DriftSample, shift: Shift): Promise<MonitorSnapshot> {
  await predictor.resetMonitor();
  await predictor.predictBatch(
    sample.records.map((r) => applyShift(r, shift)),
    { invalid: 'report' },
  );
  return predictor.monitor();
}

/** Runs async work one at a time, in call order (a failure does not block the next). */
export function serialQueue(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>) => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}
