/**
 * The UCI Bike Sharing row format (day.csv; Fanaee-T & Gama 2013) and its conversion back to
 * the raw record a rider app sends: real units instead of the dataset's normalised columns.
 */

/** One UCI day.csv row as numbers (dteday as `YYYY-MM-DD`). */
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
  holiday?: boolean;
}

/** Weather categories in UCI `weathersit` order (1–4). */
export const WEATHER = ['clear', 'mist', 'light-precipitation', 'heavy-precipitation'] as const;

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
