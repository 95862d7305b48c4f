/**
 * Public holidays as observed in Washington, DC (the Capital Bikeshare region
 * of the UCI bike-sharing data): US federal holidays plus DC Emancipation Day.
 * Dates are civil dates; nothing here depends on the host time zone.
 */
import { type CivilDate, daysInMonth, epochDay, formatIsoDate, fromEpochDay, weekday } from './calendar.js';

const SUNDAY = 0;
const MONDAY = 1;
const THURSDAY = 4;
const SATURDAY = 6;

// First year each law applied. MLK Day was first observed in 1986, DC
// Emancipation Day became a DC public holiday in 2005, Juneteenth became
// federal in 2021. Earlier changes (the 1971 Uniform Monday Holiday Act,
// Veterans Day on the 4th Monday of October 1971–1977) are not modelled: the
// rules below are the current ones and are only claimed accurate from 1986.
const MLK_FROM = 1986;
const EMANCIPATION_FROM = 2005;
const JUNETEENTH_FROM = 2021;

interface YearHolidays {
  readonly list: readonly string[];
  readonly days: ReadonlySet<number>;
}

// Filled lazily per year: the hot path asks isHoliday once per record, and
// building a year costs a few dozen integer operations only once.
const cache = new Map<number, YearHolidays>();

function nthWeekday(year: number, month: number, wd: number, n: number): number {
  const first = epochDay({ year, month, day: 1 });
  const firstWd = weekday({ year, month, day: 1 });
  return first + ((wd - firstWd + 7) % 7) + (n - 1) * 7;
}

function lastWeekday(year: number, month: number, wd: number): number {
  const last = { year, month, day: daysInMonth(year, month) };
  return epochDay(last) - ((weekday(last) - wd + 7) % 7);
}

/** Federal (5 U.S.C. 6103(b)) and DC rule: Saturday → Friday before, Sunday → Monday after. */
function observed(year: number, month: number, day: number): number {
  const date = { year, month, day };
  const wd = weekday(date);
  const n = epochDay(date);
  if (wd === SATURDAY) return n - 1;
  if (wd === SUNDAY) return n + 1;
  return n;
}

/** Observed days of the holidays whose nominal date falls in `year`; some may land in a neighbouring year. */
function observedDaysOfNominalYear(year: number): number[] {
  const days = [
    observed(year, 1, 1), // New Year's Day
    nthWeekday(year, 2, MONDAY, 3), // Washington's Birthday
    lastWeekday(year, 5, MONDAY), // Memorial Day
    observed(year, 7, 4), // Independence Day
    nthWeekday(year, 9, MONDAY, 1), // Labor Day
    nthWeekday(year, 10, MONDAY, 2), // Columbus Day
    observed(year, 11, 11), // Veterans Day
    nthWeekday(year, 11, THURSDAY, 4), // Thanksgiving
    observed(year, 12, 25), // Christmas
  ];
  if (year >= MLK_FROM) days.push(nthWeekday(year, 1, MONDAY, 3));
  if (year >= EMANCIPATION_FROM) days.push(observed(year, 4, 16));
  if (year >= JUNETEENTH_FROM) days.push(observed(year, 6, 19));
  return days;
}

function yearHolidays(year: number): YearHolidays {
  const hit = cache.get(year);
  if (hit !== undefined) return hit;
  const first = epochDay({ year, month: 1, day: 1 });
  const last = epochDay({ year, month: 12, day: 31 });
  // New Year's Day on a Saturday is observed on Dec 31 of the year before
  // (2011-01-01 → 2010-12-31, and the UCI data does not mark 2011-01-01), so
  // the calendar of `year` is the observed days of three nominal years that
  // land inside it.
  const inYear = [
    ...observedDaysOfNominalYear(year - 1),
    ...observedDaysOfNominalYear(year),
    ...observedDaysOfNominalYear(year + 1),
  ].filter((n) => n >= first && n <= last);
  const days = new Set(inYear);
  const list = Object.freeze([...days].sort((a, b) => a - b).map((n) => formatIsoDate(fromEpochDay(n))));
  const entry: YearHolidays = { list, days };
  cache.set(year, entry);
  return entry;
}

/**
 * Public holidays (observed days) as sorted ISO strings for a year: US federal
 * holidays with their observed-day rules (Sat → Fri before, Sun → Mon after)
 * plus DC Emancipation Day (Apr 16, same observed rule). The returned array is
 * frozen and shared between calls.
 * @throws RangeError when `year` is not an integer.
 */
export function holidaysOfYear(year: number): readonly string[] {
  if (!Number.isInteger(year)) throw new RangeError(`year must be an integer, got ${year}`);
  return yearHolidays(year).list;
}

export function isHoliday(d: CivilDate): boolean {
  return yearHolidays(d.year).days.has(epochDay(d));
}

/**
 * Saturday/Sunday are not working days; holidays are not working days.
 * `holiday` lets a caller override the calendar, e.g. with a dataset's own
 * holiday column.
 */
export function isWorkingDay(d: CivilDate, holiday?: boolean): boolean {
  const wd = weekday(d);
  if (wd === SATURDAY || wd === SUNDAY) return false;
  return !(holiday ?? isHoliday(d));
}
