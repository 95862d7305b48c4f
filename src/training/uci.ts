import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The UCI Bike Sharing day.csv (Fanaee-T & Gama 2013), and its rows turned back into the raw
 * record a rider app would send: real units instead of the dataset's normalised columns.
 */

export interface UciDay {
  dteday: string;
  season: number;
  yr: number;
  mnth: number;
  holiday: number;
  weekday: number;
  workingday: number;
  weathersit: number;
  temp: number;
  atemp: number;
  hum: number;
  windspeed: number;
  cnt: number;
}

/** The raw bike record: what a date plus a weather forecast gives. */
export interface BikeRecord {
  date: string;
  temperature: number;
  feelsLike: number;
  humidity: number;
  windSpeed: number;
  weather: string;
}

export const WEATHER = ['clear', 'mist', 'light-precipitation', 'heavy-precipitation'] as const;

/** `FEATURECAST_DATA_DIR` overrides where day.csv is read from. */
export function dataDir(): string {
  return resolve(process.env.FEATURECAST_DATA_DIR ?? resolve(import.meta.dirname, '../../../shared/data/bike-sharing'));
}

export function readDayCsv(file = resolve(dataDir(), 'day.csv')): UciDay[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(
      `Cannot read ${file}. Get day.csv from the UCI Machine Learning Repository ("Bike Sharing", dataset 275) and point FEATURECAST_DATA_DIR at its folder.`,
    );
  }
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const names = header!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const row: Record<string, string | number> = {};
    names.forEach((name, i) => {
      row[name] = name === 'dteday' ? cells[i]! : Number(cells[i]);
    });
    return row as unknown as UciDay;
  });
}

/** Undo the UCI normalisation (Readme.txt): temp × 41 °C, atemp × 50 °C, hum × 100 %, windspeed × 67 km/h. */
export function uciToRecord(day: Pick<UciDay, 'dteday' | 'weathersit' | 'temp' | 'atemp' | 'hum' | 'windspeed'>): BikeRecord {
  return {
    date: day.dteday,
    temperature: round(day.temp * 41),
    feelsLike: round(day.atemp * 50),
    humidity: round(day.hum * 100),
    windSpeed: round(day.windspeed * 67),
    weather: WEATHER[day.weathersit - 1] ?? String(day.weathersit),
  };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
