import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import type { UciDay } from '../models/bike-daily/uci.js';
import { dataDir, readDayCsv } from '../models/bike-daily/data.js';

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
/** One day.csv row's weather: date, weathersit, temp, atemp, hum, windspeed (as in the file). */
export type DayWeatherRow = [dteday: string, weathersit: number, temp: number, atemp: number, hum: number, windspeed: number];

/** day.csv through the training reader, or null (with one warning) when it is not there. */
function readDays(file: string): UciDay[] | null {
  return existsSync(file) ? readDayCsv(file) : null;
}

export function bikeActuals(file = resolve(dataDir(), 'day.csv')): Plugin {
  return {
    name: 'featurecast-bike-actuals',
    resolveId: (id) => (id === ID ? RESOLVED : id === WEATHER_ID ? WEATHER_RESOLVED : undefined),
    load(id) {
      if (id === WEATHER_RESOLVED) {
        const rows: DayWeatherRow[] = (readDays(file) ?? []).map((d) => [d.dteday, d.weathersit, d.temp, d.atemp, d.hum, d.windspeed]);
        return `export const dayWeather = ${JSON.stringify(rows)};\n`;
      }
      if (id !== RESOLVED) return undefined;
      const days = readDays(file);
      if (days) this.addWatchFile(file);
      else this.warn(`${file} not found: the demo is built without actual rentals`);
      const actuals = Object.fromEntries((days ?? []).map((d) => [d.dteday, d.cnt]));
      const source = Object.keys(actuals).length ? 'UCI Bike Sharing Dataset, day.csv (cnt)' : null;
      return `export const actuals = ${JSON.stringify(actuals)};\nexport const actualsSource = ${JSON.stringify(source)};\n`;
    },
  };
}
