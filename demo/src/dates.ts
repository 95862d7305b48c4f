/**
 * Calendar dates as `YYYY-MM-DD` strings, with arithmetic in UTC so that a visitor's time zone
 * never shifts a day. Only "today" uses the local clock: it is the visitor's today.
 */

const DAY_MS = 86_400_000;
const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(text: string): boolean {
  const m = ISO.exec(text);
  if (!m) return false;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === text;
}

export function todayIso(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function toUtc(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

export function addDays(iso: string, days: number): string {
  return new Date(toUtc(iso) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 1 for 1 January … 366 for 31 December of a leap year. */
export function dayOfYear(iso: string): number {
  return Math.round((toUtc(iso) - Date.UTC(Number(iso.slice(0, 4)), 0, 1)) / DAY_MS) + 1;
}

const longFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const shortFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
const weekdayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short', timeZone: 'UTC' });

/** "Saturday 1 September 2012" (no comma, whatever the ICU version). */
export function longDate(iso: string): string {
  const parts = Object.fromEntries(longFormat.formatToParts(toUtc(iso)).map((p) => [p.type, p.value]));
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`;
}

/** "Sat 1 Sept" */
export function shortDate(iso: string): string {
  return shortFormat.format(toUtc(iso));
}

/** "Sat" */
export function weekday(iso: string): string {
  return weekdayFormat.format(toUtc(iso));
}

export function isWeekend(iso: string): boolean {
  const day = new Date(toUtc(iso)).getUTCDay();
  return day === 0 || day === 6;
}
