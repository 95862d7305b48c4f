/**
 * UCI hour.csv rows (Fanaee-T & Gama 2013) and their conversion to the raw hourly record a
 * rider app sends: a local time in Washington DC and the hour's weather in real units.
 */
import { uciToRecord, type UciDay } from '../bike-daily/uci.js';

/** One UCI hour.csv row as numbers: a day.csv row plus the hour (0–23) and the split counts. */
export interface UciHour extends UciDay {
  hr: number;
  casual: number;
  registered: number;
}

/** The raw bike-hourly record: what an hourly weather forecast gives. */
export interface HourRecord {
  /** Local civil time in Washington DC, `YYYY-MM-DDTHH:mm`. */
  time: string;
  temperature: number;
  feelsLike: number;
  humidity: number;
  windSpeed: number;
  weather: string;
  holiday?: boolean;
}

/** `2012-09-01` and hour 5 → `2012-09-01T05:00` (UCI hours are local Washington DC time). */
export function uciTime(dteday: string, hr: number): string {
  return `${dteday}T${String(hr).padStart(2, '0')}:00`;
}

/** Undoes the UCI normalisation as bike-daily does (temp × 41 °C, atemp × 50 °C, hum × 100 %, windspeed × 67 km/h). */
export function uciHourToRecord(hour: Pick<UciHour, 'dteday' | 'hr' | 'weathersit' | 'temp' | 'atemp' | 'hum' | 'windspeed'>): HourRecord {
  const { date, ...weather } = uciToRecord(hour);
  return { time: uciTime(date, hour.hr), ...weather };
}
