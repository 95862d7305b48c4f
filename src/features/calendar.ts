/**
 * Civil-date arithmetic with no `Date` object anywhere: every result depends
 * only on the year/month/day integers, never on the host's time zone, so the
 * browser, a worker and the Node training scripts derive identical features.
 */

/** A calendar date with no time and no zone. month 1–12, day 1–31. */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const CODE_0 = 48;
const CODE_DASH = 45;

// Days before the first of each month in a non-leap year, indexed by month 1..12.
const DAYS_BEFORE_MONTH = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Value of the ASCII digit at `i`, or -1; `charCodeAt` past the end yields NaN, which fails both bounds. */
function digitAt(text: string, i: number): number {
  const c = text.charCodeAt(i) - CODE_0;
  return c >= 0 && c <= 9 ? c : -1;
}

/**
 * Strict `YYYY-MM-DD` (4-digit year 1000–9999) → CivilDate, or null when
 * malformed or not a real date. Runs per record on the hot path, hence
 * charCodeAt instead of a regex or `Date.parse` (which would also accept
 * loose forms and apply zone rules to some of them).
 */
export function parseIsoDate(text: string): CivilDate | null {
  // The typeof guard keeps untyped callers (CSV/JSON input) from throwing.
  if (typeof text !== 'string' || text.length !== 10) return null;
  if (text.charCodeAt(4) !== CODE_DASH || text.charCodeAt(7) !== CODE_DASH) return null;
  const y0 = digitAt(text, 0);
  const y1 = digitAt(text, 1);
  const y2 = digitAt(text, 2);
  const y3 = digitAt(text, 3);
  const m0 = digitAt(text, 5);
  const m1 = digitAt(text, 6);
  const d0 = digitAt(text, 8);
  const d1 = digitAt(text, 9);
  // A -1 from any digit makes the minimum negative; y0 must also be non-zero.
  if (Math.min(y1, y2, y3, m0, m1, d0, d1) < 0 || y0 < 1) return null;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = m0 * 10 + m1;
  const day = d0 * 10 + d1;
  if (month < 1 || month > 12 || day < 1) return null;
  if (day > DAYS_IN_MONTH[month]! && !(month === 2 && day === 29 && isLeapYear(year))) return null;
  return { year, month, day };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * `YYYY-MM-DD`. Years outside 0–9999 (only reachable through fromEpochDay on
 * extreme inputs) are written with a sign or extra digits rather than
 * truncated, so the output never silently names a different date.
 */
export function formatIsoDate(d: CivilDate): string {
  const absYear = Math.abs(d.year);
  const year = (d.year < 0 ? '-' : '') + String(absYear).padStart(4, '0');
  return `${year}-${pad2(d.month)}-${pad2(d.day)}`;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** @throws RangeError when month is not an integer 1–12, since there is no sensible length to return. */
export function daysInMonth(year: number, month: number): number {
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError(`month must be an integer 1–12, got ${month}`);
  }
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month]!;
}

/**
 * Days since 1970-01-01 (proleptic Gregorian); may be negative.
 * Howard Hinnant's days_from_civil: counting years from March puts the leap
 * day last, so a 400-year era has a fixed length and no per-month table is needed.
 * Expects a valid date; out-of-range fields are not checked (hot path).
 */
export function epochDay(d: CivilDate): number {
  const y = d.month <= 2 ? d.year - 1 : d.year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400; // 0..399
  const mp = d.month > 2 ? d.month - 3 : d.month + 9; // March = 0
  const doy = Math.floor((153 * mp + 2) / 5) + d.day - 1; // 0..365
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy; // 0..146096
  return era * 146097 + doe - 719468;
}

/** The epoch day of a `YYYY-MM-DD` the spec schema has already checked (range and valid bounds); a bad one throws. */
export function epochDayOfIso(text: string): number {
  const date = parseIsoDate(text);
  if (date === null) throw new RangeError(`not a valid calendar date YYYY-MM-DD: "${text}"`);
  return epochDay(date);
}

/** Inverse of epochDay (Hinnant's civil_from_days). `n` must be an integer. */
export function fromEpochDay(n: number): CivilDate {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097; // 0..146096
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365); // 0..399
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100)); // 0..365
  const mp = Math.floor((5 * doy + 2) / 153); // March = 0
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** 1..365/366 */
export function dayOfYear(d: CivilDate): number {
  const leapShift = d.month > 2 && isLeapYear(d.year) ? 1 : 0;
  return DAYS_BEFORE_MONTH[d.month]! + d.day + leapShift;
}

/** 0 = Sunday … 6 = Saturday (the UCI `weekday` convention). */
export function weekday(d: CivilDate): number {
  // 1970-01-01 was a Thursday (4); the double modulo keeps negative days in range.
  return (((epochDay(d) + 4) % 7) + 7) % 7;
}

/**
 * UCI season: 1 winter, 2 spring, 3 summer, 4 fall. The dataset switches on
 * fixed dates (Mar 21, Jun 21, Sep 23, Dec 21) rather than astronomical
 * equinoxes, and the switch date belongs to the new season.
 */
export function season(d: CivilDate): 1 | 2 | 3 | 4 {
  const md = d.month * 100 + d.day;
  if (md < 321 || md >= 1221) return 1;
  if (md < 621) return 2;
  if (md < 923) return 3;
  return 4;
}
