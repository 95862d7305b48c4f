import { calendarOf } from 'featurecast';
import { WEATHER } from '../bike-daily/uci.js';
import { uciHourToRecord, type UciHour } from './uci.js';

/**
 * Typical weather per hour of the day, for default forecast inputs (the demo's "when to ride"
 * view): for every 7th day of the year, per hour, the means over that hour of all days within
 * ±7 days (any year) and the most common condition. A week apart the values barely move, so a
 * row per week keeps the file small for phones.
 */

/** Days of the year between two rows of the table. */
export const TYPICAL_EVERY_DAYS = 7;
/** Half-width of the averaging window, in days. */
const WINDOW_DAYS = 7;

/** One row: the hour-by-hour typical weather around `dayOfYear`, each array indexed by hour 0–23. */
export interface TypicalHours {
  dayOfYear: number;
  temperature: number[];
  feelsLike: number[];
  humidity: number[];
  windSpeed: number[];
  weather: string[];
}

const MEASURES = ['temperature', 'feelsLike', 'humidity', 'windSpeed'] as const;

/** The table from hour.csv rows; the demo picks the row nearest a date's day of year. */
export function typicalHourlyWeather(hours: readonly UciHour[]): TypicalHours[] {
  const records = hours.map(uciHourToRecord);
  const doy = hours.map((h) => calendarOf(h.dteday)!.dayOfYear);
  const round1 = (x: number) => Math.round(x * 10) / 10;
  const rows: TypicalHours[] = [];
  for (let day = 1; day <= 366; day += TYPICAL_EVERY_DAYS) {
    const near = hours.flatMap((_, i) => (Math.min(Math.abs(doy[i]! - day), 366 - Math.abs(doy[i]! - day)) <= WINDOW_DAYS ? [i] : []));
    const row: TypicalHours = { dayOfYear: day, temperature: [], feelsLike: [], humidity: [], windSpeed: [], weather: [] };
    for (let hour = 0; hour < 24; hour++) {
      const at = near.filter((i) => hours[i]!.hr === hour).map((i) => records[i]!);
      for (const key of MEASURES) row[key].push(round1(at.reduce((s, r) => s + r[key], 0) / at.length));
      const counts = WEATHER.map((w) => at.filter((r) => r.weather === w).length);
      row.weather.push(WEATHER[counts.indexOf(Math.max(...counts))]!);
    }
    rows.push(row);
  }
  return rows;
}
