import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dayOfYear, parseIsoDate, season, weekday } from '../../src/features/calendar.js';
import { holidaysOfYear, isHoliday, isWorkingDay } from '../../src/features/holidays.js';
import { dataDir, readDayCsv } from '../../models/bike-daily/data.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dayCsv = path.join(dataDir(), 'day.csv');

/** UCI rows (read by the training reader) with the parsed date beside them. */
function readUciDays() {
  return readDayCsv().map((d) => {
    const date = parseIsoDate(d.dteday);
    if (date === null) throw new Error(`bad dteday ${d.dteday}`);
    return { ...d, date };
  });
}

describe('UCI bike-sharing day.csv', () => {
  const days = readUciDays();

  it('covers 731 consecutive days', () => {
    expect(days).toHaveLength(731);
    expect(days[0]!.dteday).toBe('2011-01-01');
    expect(days[730]!.dteday).toBe('2012-12-31');
  });

  it('reproduces the holiday column exactly (21 days)', () => {
    const expected = days.filter((d) => d.holiday === 1).map((d) => d.dteday);
    expect(expected).toHaveLength(21);
    expect(days.filter((d) => isHoliday(d.date)).map((d) => d.dteday)).toEqual(expected);
    expect([...holidaysOfYear(2011), ...holidaysOfYear(2012)]).toEqual(expected);
  });

  it('reproduces season, weekday, mnth and workingday for every day', () => {
    const actual = days.map((d) => [d.dteday, season(d.date), weekday(d.date), d.date.month, isWorkingDay(d.date) ? 1 : 0]);
    const expected = days.map((d) => [d.dteday, d.season, d.weekday, d.mnth, d.workingday]);
    expect(actual).toEqual(expected);
  });

  it('reproduces workingday from the dataset holiday column via the override', () => {
    expect(days.map((d) => (isWorkingDay(d.date, d.holiday === 1) ? 1 : 0))).toEqual(days.map((d) => d.workingday));
  });

  // A zone-dependent implementation (local-time Date getters) would shift dates
  // by one day west or east of UTC; LA and Tokyo straddle UTC from both sides.
  it('gives identical results in child processes under different TZ settings', async () => {
    const script = `
      const cal = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'src/features/calendar.ts')).href)});
      const hol = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'src/features/holidays.ts')).href)});
      const fs = await import('node:fs');
      const lines = fs.readFileSync(process.env.UCI_DAY_CSV, 'utf8').trim().split(/\\r?\\n/).slice(1);
      const rows = lines.map((l) => {
        const d = cal.parseIsoDate(l.split(',')[1]);
        return [cal.weekday(d), cal.season(d), cal.dayOfYear(d), hol.isHoliday(d) ? 1 : 0].join(':');
      });
      process.stdout.write(JSON.stringify({ offset: new Date(2011, 0, 1).getTimezoneOffset(), rows }));
    `;
    const run = promisify(execFile);
    const outputs = await Promise.all(
      ['America/Los_Angeles', 'Asia/Tokyo', 'UTC'].map(async (tz) => {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          cwd: repoRoot,
          env: { ...process.env, TZ: tz, UCI_DAY_CSV: dayCsv },
        });
        return JSON.parse(stdout) as { offset: number; rows: string[] };
      }),
    );
    // Proves the TZ variable took effect, otherwise the comparison below would be vacuous.
    expect(outputs.map((o) => o.offset)).toEqual([480, -540, 0]);
    const inProcess = days.map((d) => [weekday(d.date), season(d.date), dayOfYear(d.date), isHoliday(d.date) ? 1 : 0].join(':'));
    for (const o of outputs) expect(o.rows).toEqual(inProcess);
  });
});

describe('holidaysOfYear', () => {
  it('lists 2011 with the observed shifts the UCI data shows', () => {
    expect(holidaysOfYear(2011)).toEqual([
      // 2011-01-01 (Saturday) is observed on 2010-12-31, so it is absent here.
      '2011-01-17', // MLK Day, 3rd Monday of January
      '2011-02-21', // Washington's Birthday, 3rd Monday of February
      '2011-04-15', // Emancipation Day: Apr 16 is a Saturday
      '2011-05-30', // Memorial Day, last Monday of May
      '2011-07-04',
      '2011-09-05', // Labor Day, 1st Monday of September
      '2011-10-10', // Columbus Day, 2nd Monday of October
      '2011-11-11',
      '2011-11-24', // Thanksgiving, 4th Thursday of November
      '2011-12-26', // Christmas: Dec 25 is a Sunday
    ]);
  });

  it('puts New Year 2011 (a Saturday) on Friday 2010-12-31 of the previous year', () => {
    expect(holidaysOfYear(2010)).toContain('2010-12-31');
    expect(holidaysOfYear(2010)[0]).toBe('2010-01-01'); // Friday, observed on the day
    expect(isHoliday({ year: 2010, month: 12, day: 31 })).toBe(true);
    expect(isHoliday({ year: 2011, month: 1, day: 1 })).toBe(false);
    // 2022-01-01 is also a Saturday.
    expect(holidaysOfYear(2021)).toContain('2021-12-31');
    expect(holidaysOfYear(2022)).not.toContain('2022-01-01');
  });

  it('lists 2012 with Sunday holidays moved to Monday', () => {
    expect(holidaysOfYear(2012)).toEqual([
      '2012-01-02', // New Year: Jan 1 is a Sunday
      '2012-01-16',
      '2012-02-20',
      '2012-04-16', // Emancipation Day on a Monday
      '2012-05-28', // May has five Mondays; the last one counts
      '2012-07-04',
      '2012-09-03',
      '2012-10-08',
      '2012-11-12', // Veterans Day: Nov 11 is a Sunday
      '2012-11-22',
      '2012-12-25',
    ]);
  });

  it('observes Independence Day 2020 (Saturday) on Friday Jul 3', () => {
    const y2020 = holidaysOfYear(2020);
    expect(y2020).toContain('2020-07-03');
    expect(y2020).not.toContain('2020-07-04');
    expect(y2020).not.toContain('2020-06-19'); // Juneteenth not yet federal
    expect(y2020).toEqual([
      '2020-01-01',
      '2020-01-20',
      '2020-02-17',
      '2020-04-16',
      '2020-05-25',
      '2020-07-03',
      '2020-09-07',
      '2020-10-12',
      '2020-11-11',
      '2020-11-26',
      '2020-12-25',
    ]);
  });

  it('adds Juneteenth from 2021 and observes Jul 4 2021 (Sunday) on Monday Jul 5', () => {
    const y2021 = holidaysOfYear(2021);
    expect(y2021).toContain('2021-06-18'); // Jun 19 2021 is a Saturday
    expect(y2021).toContain('2021-07-05');
    expect(y2021).not.toContain('2021-07-04');
    expect(holidaysOfYear(2022)).toContain('2022-06-20'); // Jun 19 2022 is a Sunday
    expect(holidaysOfYear(2023)).toContain('2023-06-19');
    expect(y2021).toHaveLength(12 + 1); // 12 nominal holidays, plus New Year 2022 observed on Dec 31
  });

  it('applies the start years of MLK Day and Emancipation Day', () => {
    expect(holidaysOfYear(1985).some((s) => s.startsWith('1985-01-2'))).toBe(false);
    expect(holidaysOfYear(1986)).toContain('1986-01-20');
    expect(holidaysOfYear(2004)).not.toContain('2004-04-16');
    expect(holidaysOfYear(2005)).toContain('2005-04-15'); // Apr 16 2005 is a Saturday
  });

  it('finds the nth/last weekday rules across every weekday the month can start on', () => {
    for (let year = 2000; year <= 2030; year++) {
      const list = holidaysOfYear(year).map((s) => parseIsoDate(s)!);
      const inMonth = (m: number, wd: number) => list.filter((d) => d.month === m && weekday(d) === wd).map((d) => d.day);
      expect(inMonth(1, 1).filter((day) => day >= 15 && day <= 21)).toHaveLength(1); // MLK
      expect(inMonth(2, 1).filter((day) => day >= 15 && day <= 21)).toHaveLength(1); // Washington
      expect(inMonth(5, 1).filter((day) => day >= 25)).toHaveLength(1); // Memorial
      expect(inMonth(9, 1).filter((day) => day <= 7)).toHaveLength(1); // Labor
      expect(inMonth(10, 1).filter((day) => day >= 8 && day <= 14)).toHaveLength(1); // Columbus
      expect(inMonth(11, 4).filter((day) => day >= 22 && day <= 28)).toHaveLength(1); // Thanksgiving
      for (const d of list) {
        expect(d.year).toBe(year);
        expect([0, 6]).not.toContain(weekday(d)); // observed days are always weekdays
      }
    }
  });

  it('returns the same frozen array on repeated calls', () => {
    const a = holidaysOfYear(2015);
    expect(holidaysOfYear(2015)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('rejects non-integer years', () => {
    expect(() => holidaysOfYear(2012.5)).toThrow(RangeError);
    expect(() => holidaysOfYear(Number.NaN)).toThrow(RangeError);
  });
});

describe('isHoliday / isWorkingDay', () => {
  it('knows observed days and not the nominal weekend dates', () => {
    expect(isHoliday({ year: 2011, month: 12, day: 26 })).toBe(true);
    expect(isHoliday({ year: 2011, month: 12, day: 25 })).toBe(false);
    expect(isHoliday({ year: 2020, month: 7, day: 3 })).toBe(true);
    expect(isHoliday({ year: 2021, month: 7, day: 5 })).toBe(true);
    expect(isHoliday({ year: 2012, month: 6, day: 1 })).toBe(false);
  });

  it('treats weekends and holidays as non-working, with a caller override', () => {
    const sat = { year: 2012, month: 6, day: 2 };
    const fri = { year: 2012, month: 6, day: 1 };
    const july4 = { year: 2012, month: 7, day: 4 };
    expect(isWorkingDay(sat)).toBe(false);
    expect(isWorkingDay(sat, false)).toBe(false); // the override cannot make a weekend a working day
    expect(isWorkingDay(fri)).toBe(true);
    expect(isWorkingDay(fri, true)).toBe(false);
    expect(isWorkingDay(july4)).toBe(false);
    expect(isWorkingDay(july4, false)).toBe(true);
  });
});
