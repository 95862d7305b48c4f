import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CivilDate,
  dayOfYear,
  daysInMonth,
  epochDay,
  formatIsoDate,
  fromEpochDay,
  isLeapYear,
  parseIsoDate,
  season,
  weekday,
} from '../../src/features/calendar.js';

const MS_PER_DAY = 86_400_000;

function utcDays(d: CivilDate): number {
  return Date.UTC(d.year, d.month - 1, d.day) / MS_PER_DAY;
}

describe('parseIsoDate', () => {
  it('parses valid dates', () => {
    expect(parseIsoDate('2012-06-01')).toEqual({ year: 2012, month: 6, day: 1 });
    expect(parseIsoDate('2011-01-01')).toEqual({ year: 2011, month: 1, day: 1 });
    expect(parseIsoDate('2012-12-31')).toEqual({ year: 2012, month: 12, day: 31 });
    expect(parseIsoDate('1000-01-01')).toEqual({ year: 1000, month: 1, day: 1 });
    expect(parseIsoDate('9999-12-31')).toEqual({ year: 9999, month: 12, day: 31 });
  });

  it('accepts Feb 29 only in leap years, including the century rule', () => {
    expect(parseIsoDate('2012-02-29')).toEqual({ year: 2012, month: 2, day: 29 });
    expect(parseIsoDate('2011-02-29')).toBeNull();
    expect(parseIsoDate('2000-02-29')).toEqual({ year: 2000, month: 2, day: 29 });
    expect(parseIsoDate('1900-02-29')).toBeNull();
  });

  it.each([
    '2012-02-30',
    '2012-04-31',
    '2012-13-01',
    '2012-00-10',
    '2012-06-00',
    '2012-06-32',
    '0999-12-31',
    '0000-01-01',
    '12/06/2012',
    '',
    '2012-6-1',
    '2012-06-1',
    ' 2012-06-01',
    '2012-06-01 ',
    '2012-06-01T00:00',
    '2012/06/01',
    '2012-06-01Z',
    '+2012-06-01',
    '-2012-06-01',
    '２０１２-06-01',
    '2012-0a-01',
    '201x-06-01',
    'yyyy-mm-dd',
    '2012_06_01',
  ])('rejects %j', (text) => {
    expect(parseIsoDate(text)).toBeNull();
  });

  it('returns null for non-string garbage from untyped callers', () => {
    for (const junk of [undefined, null, 20120601, {}, [], new Date(0), Symbol.iterator]) {
      expect(parseIsoDate(junk as unknown as string)).toBeNull();
    }
  });

  it('round-trips through formatIsoDate for any string it accepts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => {
        const d = parseIsoDate(s);
        return d === null || formatIsoDate(d) === s;
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with a Date.UTC reference on random digit strings of the right shape', () => {
    const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
    fc.assert(
      fc.property(digits(4), digits(2), digits(2), (y, m, d) => {
        const text = `${y}-${m}-${d}`;
        const [year, month, day] = [Number(y), Number(m), Number(d)];
        const t = new Date(Date.UTC(2000, month - 1, day));
        t.setUTCFullYear(year); // Date.UTC maps years 0–99 to 1900s
        const real = year >= 1000 && t.getUTCFullYear() === year && t.getUTCMonth() === month - 1 && t.getUTCDate() === day;
        expect(parseIsoDate(text)).toEqual(real ? { year, month, day } : null);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('formatIsoDate', () => {
  it('zero-pads month and day', () => {
    expect(formatIsoDate({ year: 2012, month: 6, day: 1 })).toBe('2012-06-01');
    expect(formatIsoDate({ year: 2011, month: 12, day: 31 })).toBe('2011-12-31');
  });

  it('keeps years outside 1000–9999 unambiguous', () => {
    expect(formatIsoDate({ year: 999, month: 1, day: 2 })).toBe('0999-01-02');
    expect(formatIsoDate({ year: -1, month: 1, day: 2 })).toBe('-0001-01-02');
    expect(formatIsoDate({ year: 10000, month: 1, day: 2 })).toBe('10000-01-02');
  });
});

describe('isLeapYear / daysInMonth', () => {
  it('applies the 4/100/400 rule', () => {
    expect([1900, 2000, 2011, 2012, 2100, 2400].map(isLeapYear)).toEqual([false, true, false, true, false, true]);
  });

  it('gives month lengths', () => {
    expect(Array.from({ length: 12 }, (_, i) => daysInMonth(2011, i + 1))).toEqual([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    expect(daysInMonth(2012, 2)).toBe(29);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
  });

  it('rejects months outside 1–12', () => {
    expect(() => daysInMonth(2012, 0)).toThrow(RangeError);
    expect(() => daysInMonth(2012, 13)).toThrow(RangeError);
    expect(() => daysInMonth(2012, 1.5)).toThrow(RangeError);
  });
});

describe('epochDay / fromEpochDay', () => {
  it('anchors at 1970-01-01 and handles negative days', () => {
    expect(epochDay({ year: 1970, month: 1, day: 1 })).toBe(0);
    expect(epochDay({ year: 1969, month: 12, day: 31 })).toBe(-1);
    expect(fromEpochDay(-1)).toEqual({ year: 1969, month: 12, day: 31 });
    expect(epochDay({ year: 2011, month: 1, day: 1 })).toBe(14975);
  });

  it('round-trips every day 1900..2100, stays contiguous, and matches Date.UTC', () => {
    const start = epochDay({ year: 1900, month: 1, day: 1 });
    const end = epochDay({ year: 2100, month: 12, day: 31 });
    let prev: CivilDate | null = null;
    let count = 0;
    for (let n = start; n <= end; n++) {
      const d = fromEpochDay(n);
      if (epochDay(d) !== n || utcDays(d) !== n) throw new Error(`mismatch at ${n}: ${formatIsoDate(d)}`);
      if (d.day < 1 || d.day > daysInMonth(d.year, d.month)) throw new Error(`invalid date ${formatIsoDate(d)}`);
      if (prev !== null) {
        const nextInMonth = d.year === prev.year && d.month === prev.month && d.day === prev.day + 1;
        const nextMonth = d.day === 1 && (d.month === prev.month + 1 ? d.year === prev.year : d.month === 1 && d.year === prev.year + 1);
        if (!nextInMonth && !nextMonth) throw new Error(`gap between ${formatIsoDate(prev)} and ${formatIsoDate(d)}`);
      }
      prev = d;
      count++;
    }
    expect(count).toBe(73_414); // 201 years incl. 49 leap years (1900 and 2100 are not)
  });

  it('matches Date.UTC far from the epoch, including before year 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000_000, max: 100_000_000 }), (n) => {
        const d = fromEpochDay(n);
        expect(epochDay(d)).toBe(n);
        const t = new Date(n * MS_PER_DAY);
        expect([d.year, d.month, d.day]).toEqual([t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()]);
      }),
      { numRuns: 2000 },
    );
  });

  it('steps across year boundaries', () => {
    for (const year of [1899, 1999, 2010, 2011, 2012, 2099]) {
      const dec31 = epochDay({ year, month: 12, day: 31 });
      expect(fromEpochDay(dec31 + 1)).toEqual({ year: year + 1, month: 1, day: 1 });
      expect(epochDay({ year: year + 1, month: 1, day: 1 }) - dec31).toBe(1);
    }
    expect(fromEpochDay(epochDay({ year: 2012, month: 2, day: 28 }) + 1)).toEqual({ year: 2012, month: 2, day: 29 });
    expect(fromEpochDay(epochDay({ year: 2011, month: 2, day: 28 }) + 1)).toEqual({ year: 2011, month: 3, day: 1 });
  });
});

describe('dayOfYear', () => {
  it('counts from 1 and ends at 365 or 366', () => {
    expect(dayOfYear({ year: 2011, month: 1, day: 1 })).toBe(1);
    expect(dayOfYear({ year: 2011, month: 12, day: 31 })).toBe(365);
    expect(dayOfYear({ year: 2012, month: 12, day: 31 })).toBe(366);
    expect(dayOfYear({ year: 2000, month: 12, day: 31 })).toBe(366);
    expect(dayOfYear({ year: 1900, month: 12, day: 31 })).toBe(365);
    expect(dayOfYear({ year: 2012, month: 3, day: 1 })).toBe(61);
    expect(dayOfYear({ year: 2011, month: 3, day: 1 })).toBe(60);
  });

  it('equals the epoch-day offset from Jan 1 for every day 1999..2013', () => {
    for (let n = epochDay({ year: 1999, month: 1, day: 1 }); n <= epochDay({ year: 2013, month: 12, day: 31 }); n++) {
      const d = fromEpochDay(n);
      const expected = n - epochDay({ year: d.year, month: 1, day: 1 }) + 1;
      if (dayOfYear(d) !== expected) throw new Error(`dayOfYear(${formatIsoDate(d)}) = ${dayOfYear(d)}`);
    }
  });
});

describe('weekday', () => {
  it('uses 0 = Sunday … 6 = Saturday', () => {
    expect(weekday({ year: 1970, month: 1, day: 1 })).toBe(4);
    expect(weekday({ year: 2011, month: 1, day: 1 })).toBe(6);
    expect(weekday({ year: 2011, month: 1, day: 2 })).toBe(0);
    expect(weekday({ year: 2012, month: 2, day: 29 })).toBe(3);
    expect(weekday({ year: 1969, month: 12, day: 31 })).toBe(3);
    expect(weekday({ year: 1900, month: 1, day: 1 })).toBe(1);
  });

  it('matches Date#getUTCDay for every day 1900..2100', () => {
    for (let n = epochDay({ year: 1900, month: 1, day: 1 }); n <= epochDay({ year: 2100, month: 12, day: 31 }); n++) {
      const d = fromEpochDay(n);
      if (weekday(d) !== new Date(n * MS_PER_DAY).getUTCDay()) throw new Error(`weekday mismatch at ${formatIsoDate(d)}`);
    }
  });
});

describe('season', () => {
  it.each([
    ['2012-01-01', 1],
    ['2012-03-20', 1],
    ['2012-03-21', 2],
    ['2012-06-20', 2],
    ['2012-06-21', 3],
    ['2012-09-22', 3],
    ['2012-09-23', 4],
    ['2012-12-20', 4],
    ['2012-12-21', 1],
    ['2012-12-31', 1],
    ['2011-02-28', 1],
    ['2012-02-29', 1],
  ] as const)('%s is season %i', (text, expected) => {
    expect(season(parseIsoDate(text)!)).toBe(expected);
  });
});

describe('source hygiene', () => {
  it.each(['calendar.ts', 'holidays.ts'])('%s never touches Date, so no result can depend on the host time zone', (file) => {
    const src = readFileSync(fileURLToPath(new URL(`../../src/features/${file}`, import.meta.url)), 'utf8');
    const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/\bDate\b|\bIntl\b|getTimezoneOffset|toLocale/);
  });
});
