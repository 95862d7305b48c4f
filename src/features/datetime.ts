import { epochDay, parseIsoDate, type CivilDate } from './calendar.js';

/**
 * Local civil date-times (`YYYY-MM-DDTHH:mm`). A value with `Z` or an offset names an instant
 * and is converted to the input's IANA time zone with Intl, never through the host's zone, so
 * every process derives the same hour from the same text.
 */

/** A civil date with an hour and minute in the input's own time zone. */
export interface CivilDateTime extends CivilDate {
  readonly hour: number;
  readonly minute: number;
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses a date-time; `toZone` converts one that carries an offset. Null when malformed or not a real time. */
export function parseDateTime(text: string, toZone: (epochMs: number) => CivilDateTime): CivilDateTime | null {
  if (typeof text !== 'string' || text.length > 40) return null;
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const date = parseIsoDate(m[1]!);
  const hour = Number(m[2]);
  const minute = Number(m[3]);
  const second = m[4] === undefined ? 0 : Number(m[4]);
  if (!date || hour > 23 || minute > 59 || second > 59) return null;
  const zone = m[5];
  if (zone === undefined) return { ...date, hour, minute };
  let offset = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    const oh = Number(digits.slice(1, 3));
    const om = Number(digits.slice(3, 5));
    if (oh > 23 || om > 59) return null;
    offset = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return toZone((epochMinuteOf({ ...date, hour, minute }) - offset) * 60_000 + second * 1000);
}

/** Minutes since 1970-01-01T00:00 of the civil time (as if it were UTC). */
export function epochMinuteOf(d: CivilDateTime): number {
  return epochDay(d) * 1440 + d.hour * 60 + d.minute;
}

/** `YYYY-MM-DDTHH:mm`. */
export function formatDateTime(d: CivilDateTime): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${String(d.year).padStart(4, '0')}-${p2(d.month)}-${p2(d.day)}T${p2(d.hour)}:${p2(d.minute)}`;
}

/** Inverse of epochMinuteOf. */
export function fromEpochMinute(n: number, fromDay: (day: number) => CivilDate): CivilDateTime {
  const day = Math.floor(n / 1440);
  const rest = n - day * 1440;
  return { ...fromDay(day), hour: Math.floor(rest / 60), minute: rest % 60 };
}

/**
 * Converts instants to civil time in `timeZone` (an IANA name; UTC when absent).
 * @throws RangeError for a time zone Intl does not know.
 */
export function zoneConverter(timeZone = 'UTC'): (epochMs: number) => CivilDateTime {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  return (epochMs) => {
    const parts = { year: 0, month: 0, day: 0, hour: 0, minute: 0 };
    for (const p of format.formatToParts(epochMs)) if (p.type in parts) parts[p.type as keyof typeof parts] = Number(p.value);
    return parts;
  };
}
