/**
 * The UCI Bike Sharing row format (day.csv; Fanaee-T & Gama 2013) and its conversion back to
 * the raw record a rider app sends: real units instead of the dataset's normalised columns.
 */
import { calendarOf, printableValue, type IssueKind, type ValidationIssue } from 'featurecast';

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

/** The UCI normalisation (Readme.txt): each weather column times its factor is the real value (°C, °C, %, km/h). */
export const UCI_SCALE = { temp: 41, atemp: 50, hum: 100, windspeed: 67 } as const;

/** Undo the UCI normalisation (Readme.txt): temp × 41 °C, atemp × 50 °C, hum × 100 %, windspeed × 67 km/h. */
export function uciToRecord(day: Pick<UciDay, 'dteday' | 'weathersit' | 'temp' | 'atemp' | 'hum' | 'windspeed'>): BikeRecord {
  return {
    date: day.dteday,
    temperature: round(day.temp * UCI_SCALE.temp),
    feelsLike: round(day.atemp * UCI_SCALE.atemp),
    humidity: round(day.hum * UCI_SCALE.hum),
    windSpeed: round(day.windspeed * UCI_SCALE.windspeed),
    weather: WEATHER[day.weathersit - 1] ?? String(day.weathersit),
  };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/**
 * A row of the seed's `/api/makecalc/` API: a day.csv row without the counts. The calendar
 * columns are optional because featurecast derives them from `dteday`; `instant` is ignored.
 */
export interface UciRow {
  instant?: number;
  dteday: string;
  season?: number;
  yr?: number;
  mnth?: number;
  holiday?: number | boolean;
  weekday?: number;
  workingday?: number;
  weathersit: number;
  temp: number;
  atemp: number;
  hum: number;
  windspeed: number;
}

/** Columns of a UCI row that only restate its date. */
export type UciCalendarField = 'season' | 'yr' | 'mnth' | 'holiday' | 'weekday' | 'workingday';

/**
 * A calendar column that disagrees with `dteday`. `contradicts-date`: ignored, the date wins.
 * `holiday-override`: the row's `holiday` is kept as the record's `holiday` override.
 */
export interface UciWarning {
  index: number;
  field: UciCalendarField;
  kind: 'contradicts-date' | 'holiday-override';
  received: unknown;
  /** What `dteday` (and the holiday calendar) implies. */
  expected: number;
}

/** Result of `uciRowToRecord`: a record when the row is usable, otherwise the issues. */
export interface UciConversion {
  record: BikeRecord | undefined;
  issues: ValidationIssue[];
  warnings: UciWarning[];
}

/** Which bike record field each UCI column becomes, so errors about a record can name the column the caller sent. */
export const UCI_COLUMN_OF: Readonly<Record<keyof BikeRecord, keyof UciRow>> = {
  date: 'dteday',
  temperature: 'temp',
  feelsLike: 'atemp',
  humidity: 'hum',
  windSpeed: 'windspeed',
  weather: 'weathersit',
  holiday: 'holiday',
};

const MEASURES = ['temp', 'atemp', 'hum', 'windspeed'] as const;
// UCI's `yr` counts from the first year of the data.
const UCI_FIRST_YEAR = 2011;

/**
 * Converts a seed/UCI row (normalised weather, as in day.csv) to the raw bike record. Calendar
 * columns are checked against `dteday`, never trusted: a contradiction becomes a warning and
 * the date wins. `holiday` is the exception: a caller may know a day off the calendar lacks
 * (e.g. DC's Inauguration Day), so a disagreeing `holiday` overrides the calendar and is
 * flagged. Malformed or missing values become issues at `index`.
 */
export function uciRowToRecord(row: unknown, index = 0): UciConversion {
  const issues: ValidationIssue[] = [];
  const warnings: UciWarning[] = [];
  const fail = (path: string, kind: IssueKind, message: string, received: unknown) =>
    issues.push({ index, path, kind, message, received: printableValue(received) });
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    fail('', 'record', 'expected a UCI day row object', row);
    return { record: undefined, issues, warnings };
  }
  const r = row as Record<string, unknown>;
  const get = (name: string) => (Object.hasOwn(r, name) ? r[name] : undefined);

  const dteday = get('dteday');
  const date = typeof dteday === 'string' ? calendarOf(dteday) : null;
  if (dteday === undefined) fail('dteday', 'missing', 'required field is missing', dteday);
  else if (!date) fail('dteday', typeof dteday === 'string' ? 'format' : 'type', 'expected a date string YYYY-MM-DD', dteday);

  const weathersit = get('weathersit');
  if (weathersit === undefined) fail('weathersit', 'missing', 'required field is missing', weathersit);
  else if (typeof weathersit !== 'number') fail('weathersit', 'type', 'expected 1, 2, 3 or 4', weathersit);
  else if (!WEATHER[weathersit - 1]) fail('weathersit', 'unknown-category', 'expected 1, 2, 3 or 4', weathersit);
  for (const name of MEASURES) {
    const v = get(name);
    if (v === undefined) fail(name, 'missing', 'required field is missing', v);
    else if (typeof v !== 'number' || !Number.isFinite(v)) fail(name, 'type', 'expected a finite number (normalised as in day.csv)', v);
  }

  const claims: Partial<Record<UciCalendarField, number>> = {};
  for (const name of ['season', 'yr', 'mnth', 'holiday', 'weekday', 'workingday'] as const) {
    const v = get(name);
    if (v === undefined || v === null) continue;
    const n = typeof v === 'boolean' ? Number(v) : v;
    const flag = name === 'holiday' || name === 'workingday';
    if (typeof n !== 'number' || !Number.isInteger(n) || (flag && n !== 0 && n !== 1)) {
      fail(name, 'type', flag ? 'expected 0 or 1' : 'expected an integer', v);
    } else claims[name] = n;
  }
  if (issues.length || !date) return { record: undefined, issues, warnings };

  const record = uciToRecord(r as unknown as UciRow);
  const onCalendar = date.holiday;
  const holiday = claims.holiday === undefined ? onCalendar : claims.holiday === 1;
  if (holiday !== onCalendar) {
    record.holiday = holiday;
    warnings.push({ index, field: 'holiday', kind: 'holiday-override', received: get('holiday'), expected: Number(onCalendar) });
  }
  const truth: Record<Exclude<UciCalendarField, 'holiday'>, number> = {
    season: date.season,
    yr: date.year - UCI_FIRST_YEAR,
    mnth: date.month,
    weekday: date.weekday,
    workingday: Number(date.weekday !== 0 && date.weekday !== 6 && !holiday),
  };
  for (const name of ['season', 'yr', 'mnth', 'weekday', 'workingday'] as const) {
    const claim = claims[name];
    if (claim !== undefined && claim !== truth[name]) {
      warnings.push({ index, field: name, kind: 'contradicts-date', received: get(name), expected: truth[name] });
    }
  }
  return { record, issues, warnings };
}
