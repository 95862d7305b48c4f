import { isRejected, type Predictor, type Warning } from 'featurecast';
import { addDays } from './dates.js';
import { round1 } from './format.js';
import { applyShift, NO_SHIFT, type Shift } from './shift.js';
import { typicalFor, type TypicalWeather } from './weather.js';

/** The page's state: 14 days, each with editable weather inputs, and how to predict them. */

export const FORECAST_DAYS = 14;

/** The bike model's numeric weather inputs, in display order. */
export const NUMBER_FIELDS = ['temperature', 'feelsLike', 'humidity', 'windSpeed'] as const;
export type NumberField = (typeof NUMBER_FIELDS)[number];

export interface DayInputs {
  temperature: number | null;
  feelsLike: number | null;
  humidity: number | null;
  windSpeed: number | null;
  weather: string;
}

export interface ForecastDay {
  date: string;
  inputs: DayInputs;
  /** Real rentals that day, when the day is in the data the page was built with. */
  actual: number | undefined;
}

export type DayResult =
  | { ok: true; rentals: number; busyness: string; band: number; warnings: readonly Warning[] }
  | { ok: false; problems: string[] };

export function typicalInputs(weather: TypicalWeather, date: string): DayInputs {
  const t = typicalFor(weather, date);
  return {
    temperature: round1(t.temperature),
    feelsLike: round1(t.feelsLike),
    humidity: round1(t.humidity),
    windSpeed: round1(t.windSpeed),
    weather: t.weather,
  };
}

/** The days from `start`, each with the typical weather for its date plus the visitor's shift. */
export function makeForecast(
  start: string,
  weather: TypicalWeather,
  actuals: Readonly<Record<string, number>>,
  shift: Shift = NO_SHIFT,
): ForecastDay[] {
  return Array.from({ length: FORECAST_DAYS }, (_, i) => {
    const date = addDays(start, i);
    return { date, inputs: applyShift(typicalInputs(weather, date), shift), actual: actuals[date] };
  });
}

/** The record the library gets; an empty field is left out, so the library reports it missing. */
export function toRecord(day: ForecastDay): Record<string, unknown> {
  return { date: day.date, ...weatherRecord(day.inputs) };
}

/** The weather part of a record (a day's or an hour's), empty fields left out. */
export function weatherRecord(inputs: DayInputs): Record<string, unknown> {
  const record: Record<string, unknown> = { weather: inputs.weather };
  for (const field of NUMBER_FIELDS) {
    const value = inputs[field];
    if (value !== null) record[field] = value;
  }
  return record;
}

/** Predicts all days in one batch; invalid days come back as problems instead of failing the rest. */
export function predictDays(predictor: Predictor, days: readonly ForecastDay[]): Promise<{ results: DayResult[]; ms: number }> {
  return predictRecords(predictor, days.map(toRecord));
}

/** Predicts records in one batch (days or hours): an invalid record comes back as problems instead of failing the rest. */
export async function predictRecords(
  predictor: Predictor,
  records: readonly Record<string, unknown>[],
): Promise<{ results: DayResult[]; ms: number }> {
  const labels = predictor.info.output.bands?.labels ?? [];
  const started = performance.now();
  const answers = await predictor.predictBatch(records, { invalid: 'report' });
  const ms = performance.now() - started;
  const results = answers.map((answer): DayResult => {
    if (isRejected(answer)) return { ok: false, problems: answer.error.issues.map((i) => `${i.path || 'record'}: ${i.message}`) };
    const busyness = String(answer.busyness ?? '');
    return { ok: true, rentals: Number(answer.rentals), busyness, band: labels.indexOf(busyness), warnings: answer.warnings ?? [] };
  });
  return { results, ms };
}
