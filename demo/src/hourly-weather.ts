import { dayOfYear } from './dates.js';
import type { DayInputs } from './forecast.js';
import { round1 } from './format.js';
import { TypicalWeatherError } from './weather.js';

/**
 * Typical weather per hour of the day (models/bike-hourly/typical-hourly-weather.json, made at
 * training time): a row every 7th day of the year, each holding 24 values per input.
 */

/** One row of the table: arrays indexed by hour 0–23. */
export interface TypicalHoursRow {
  dayOfYear: number;
  temperature: readonly number[];
  feelsLike: readonly number[];
  humidity: readonly number[];
  windSpeed: readonly number[];
  weather: readonly string[];
}

/** The whole file: where it came from and its rows. */
export interface TypicalHours {
  source: string;
  days: readonly TypicalHoursRow[];
}

/** Fetches the table; throws TypicalWeatherError when it cannot be read. */
export async function loadTypicalHours(url: string): Promise<TypicalHours> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new TypicalWeatherError(`Could not load the typical hourly weather: ${(cause as Error).message}`, url);
  }
  if (!response.ok)
    throw new TypicalWeatherError(`Could not load the typical hourly weather: HTTP ${response.status}`, url, response.status);
  const data = (await response.json().catch(() => null)) as Partial<TypicalHours> | null;
  if (!data || !Array.isArray(data.days) || data.days.length === 0 || data.days.some((d) => d.temperature?.length !== 24)) {
    throw new TypicalWeatherError('The typical hourly weather file has no usable rows', url);
  }
  return { source: String(data.source ?? ''), days: data.days };
}

/** The 24 hours' typical inputs for a date: the row nearest its day of year (around the year's end too). */
export function typicalHoursFor(table: TypicalHours, iso: string): DayInputs[] {
  const doy = dayOfYear(iso);
  const distance = (row: TypicalHoursRow) => Math.min(Math.abs(row.dayOfYear - doy), 366 - Math.abs(row.dayOfYear - doy));
  const row = table.days.reduce((best, r) => (distance(r) < distance(best) ? r : best));
  return Array.from({ length: 24 }, (_, h) => ({
    temperature: round1(row.temperature[h]!),
    feelsLike: round1(row.feelsLike[h]!),
    humidity: round1(row.humidity[h]!),
    windSpeed: round1(row.windSpeed[h]!),
    weather: row.weather[h]!,
  }));
}
