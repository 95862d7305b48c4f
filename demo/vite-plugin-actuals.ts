import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

/**
 * `virtual:bike-actuals`: the real daily rentals of the training data (UCI Bike Sharing
 * day.csv, date → cnt), read at build time so the page can show them beside the predictions.
 * `virtual:bike-weather`: the same days' weather columns as in day.csv (normalised, converted
 * in the page by the library's `uciToRecord`), for the drift panel; the page imports it lazily.
 * The data stays out of git; without the file both modules are empty and the page says so.
 * `FEATURECAST_DATA_DIR` overrides the folder, as for training.
 */

const ID = 'virtual:bike-actuals';
const RESOLVED = `\0${ID}`;
const WEATHER_ID = 'virtual:bike-weather';
const WEATHER_RESOLVED = `\0${WEATHER_ID}`;
const WEATHER_COLUMNS = ['dteday', 'weathersit', 'temp', 'atemp', 'hum', 'windspeed'] as const;

/** One day.csv row's weather, in WEATHER_COLUMNS order. */
export type DayWeatherRow = [dteday: string, weathersit: number, temp: number, atemp: number, hum: number, windspeed: number];

/** Parses day.csv into weather rows; an empty list when a column is missing. */
export function parseDayWeather(text: string): DayWeatherRow[] {
  const [header = '', ...lines] = text.trim().split(/\r?\n/);
  const names = header.split(',');
  const at = WEATHER_COLUMNS.map((c) => names.indexOf(c));
  if (at.some((i) => i < 0)) return [];
  return lines.flatMap((line) => {
    const cells = line.split(',');
    const [date = '', ...rest] = at.map((i) => cells[i] ?? '');
    const numbers = rest.map(Number);
    return /^\d{4}-\d{2}-\d{2}$/.test(date) && numbers.every(Number.isFinite) ? [[date, ...numbers] as DayWeatherRow] : [];
  });
}

export function defaultDataDir(repoRoot: string): string {
  return resolve(process.env.FEATURECAST_DATA_DIR ?? resolve(repoRoot, '../shared/data/bike-sharing'));
}

/** Parses day.csv into { 'YYYY-MM-DD': cnt }; an empty object when the columns are missing. */
export function parseDayCsv(text: string): Record<string, number> {
  const [header = '', ...lines] = text.trim().split(/\r?\n/);
  const names = header.split(',');
  const day = names.indexOf('dteday');
  const cnt = names.indexOf('cnt');
  const out: Record<string, number> = {};
  if (day < 0 || cnt < 0) return out;
  for (const line of lines) {
    const cells = line.split(',');
    const date = cells[day] ?? '';
    const value = Number(cells[cnt]);
    if (/^\d{4}-\d{2}-\d{2}$/.test(date) && Number.isFinite(value)) out[date] = value;
  }
  return out;
}

export function bikeActuals(dataDir: string): Plugin {
  const file = resolve(dataDir, 'day.csv');
  return {
    name: 'featurecast-bike-actuals',
    resolveId: (id) => (id === ID ? RESOLVED : id === WEATHER_ID ? WEATHER_RESOLVED : undefined),
    load(id) {
      if (id === WEATHER_RESOLVED) {
        let rows: DayWeatherRow[] = [];
        try {
          rows = parseDayWeather(readFileSync(file, 'utf8'));
          this.addWatchFile(file);
        } catch {
          // Warned once, for the actuals.
        }
        return `export const dayWeather = ${JSON.stringify(rows)};\n`;
      }
      if (id !== RESOLVED) return undefined;
      let actuals: Record<string, number> = {};
      try {
        actuals = parseDayCsv(readFileSync(file, 'utf8'));
        this.addWatchFile(file);
      } catch {
        this.warn(`${file} not found: the demo is built without actual rentals`);
      }
      const source = Object.keys(actuals).length ? 'UCI Bike Sharing Dataset, day.csv (cnt)' : null;
      return `export const actuals = ${JSON.stringify(actuals)};\nexport const actualsSource = ${JSON.stringify(source)};\n`;
    },
  };
}
