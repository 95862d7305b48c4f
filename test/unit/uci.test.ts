import { describe, expect, it } from 'vitest';
import { readDayCsv } from '../../models/bike-daily/data.js';
import { uciRowToRecord, uciToRecord, type UciRow } from '../../models/bike-daily/uci.js';

const days = readDayCsv();
// 2012-06-01 is a Friday in summer (season 2 until Jun 21), a working day, no holiday.
const friday: UciRow = {
  instant: 518,
  dteday: '2012-06-01',
  season: 2,
  yr: 1,
  mnth: 6,
  holiday: 0,
  weekday: 5,
  workingday: 1,
  weathersit: 2,
  temp: 0.6,
  atemp: 0.55,
  hum: 0.7,
  windspeed: 0.2,
};

describe('uciRowToRecord', () => {
  it('agrees with uciToRecord on every day.csv row, without warnings (the calendar matches the data)', () => {
    days.forEach((day, i) => {
      const { record, issues, warnings } = uciRowToRecord(day, i);
      expect(issues).toEqual([]);
      expect(warnings).toEqual([]);
      expect(record).toEqual(uciToRecord(day));
    });
  });

  it('undoes the normalisation and ignores instant and unknown columns', () => {
    const { record } = uciRowToRecord({ ...friday, cnt: 5000, instant: 99 });
    expect(record).toEqual({ date: '2012-06-01', temperature: 24.6, feelsLike: 27.5, humidity: 70, windSpeed: 13.4, weather: 'mist' });
  });

  it('needs only the date and the weather: calendar columns are optional', () => {
    const { dteday, weathersit, temp, atemp, hum, windspeed } = friday;
    const minimal = uciRowToRecord({ dteday, weathersit, temp, atemp, hum, windspeed });
    expect(minimal.issues).toEqual([]);
    expect(minimal.record).toEqual(uciRowToRecord(friday).record);
  });

  it('reports calendar columns that contradict dteday and keeps the date', () => {
    const row = { ...friday, season: 3, yr: 0, mnth: 7, weekday: 1 };
    const { record, warnings } = uciRowToRecord(row, 7);
    expect(record).toEqual(uciRowToRecord(friday).record);
    expect(warnings).toEqual([
      { index: 7, field: 'season', kind: 'contradicts-date', received: 3, expected: 2 },
      { index: 7, field: 'yr', kind: 'contradicts-date', received: 0, expected: 1 },
      { index: 7, field: 'mnth', kind: 'contradicts-date', received: 7, expected: 6 },
      { index: 7, field: 'weekday', kind: 'contradicts-date', received: 1, expected: 5 },
    ]);
  });

  it('reports a workingday that contradicts the date (a Saturday is never a working day)', () => {
    const saturday = { ...friday, dteday: '2012-06-02', weekday: 6, workingday: 1 };
    expect(uciRowToRecord(saturday).warnings).toEqual([
      { index: 0, field: 'workingday', kind: 'contradicts-date', received: 1, expected: 0 },
    ]);
  });

  it('lets a disagreeing holiday override the calendar, flags it, and derives workingday from it', () => {
    // DC's Inauguration Day (2013-01-21 fell on MLK Day; 2009-01-20 was a Tuesday) is not in the calendar.
    const row = { ...friday, dteday: '2009-01-20', season: 1, yr: -2, mnth: 1, weekday: 2, holiday: 1, workingday: 0 };
    const { record, warnings } = uciRowToRecord(row, 3);
    expect(record!.holiday).toBe(true);
    expect(warnings).toEqual([{ index: 3, field: 'holiday', kind: 'holiday-override', received: 1, expected: 0 }]);
    const notOff = uciRowToRecord({ ...row, workingday: 1 }, 3).warnings;
    expect(notOff).toContainEqual({ index: 3, field: 'workingday', kind: 'contradicts-date', received: 1, expected: 0 });
  });

  it('can also declare a calendar holiday a normal day', () => {
    const july4 = { ...friday, dteday: '2012-07-04', season: 3, mnth: 7, weekday: 3, holiday: 0, workingday: 1 };
    const { record, warnings } = uciRowToRecord(july4);
    expect(record!.holiday).toBe(false);
    expect(warnings).toEqual([{ index: 0, field: 'holiday', kind: 'holiday-override', received: 0, expected: 1 }]);
    const agreed = uciRowToRecord({ ...july4, holiday: 1, workingday: 0 });
    expect(agreed.warnings).toEqual([]);
    expect(agreed.record).not.toHaveProperty('holiday');
  });

  it('lists every malformed field with the row index, path and kind', () => {
    const row = { ...friday, dteday: '2012-02-30', weathersit: 5, temp: 'warm', hum: undefined, holiday: 2, season: 'summer' };
    const { record, issues } = uciRowToRecord(row, 12);
    expect(record).toBeUndefined();
    expect(issues.map((i) => [i.index, i.path, i.kind])).toEqual([
      [12, 'dteday', 'format'],
      [12, 'weathersit', 'unknown-category'],
      [12, 'temp', 'type'],
      [12, 'hum', 'missing'],
      [12, 'season', 'type'],
      [12, 'holiday', 'type'],
    ]);
    expect(issues[2]!.received).toBe('warm');
  });

  it('refuses a row that is not an object', () => {
    for (const row of [null, 3, 'row', [1, 2]]) {
      const { record, issues } = uciRowToRecord(row, 4);
      expect(record).toBeUndefined();
      expect(issues).toEqual([expect.objectContaining({ index: 4, path: '', kind: 'record' })]);
    }
  });

  it('never reads fields from the prototype', () => {
    const row = Object.create({ dteday: '2012-06-01' }) as Record<string, unknown>;
    Object.assign(row, { weathersit: 1, temp: 0.5, atemp: 0.5, hum: 0.5, windspeed: 0.2 });
    expect(uciRowToRecord(row).issues).toEqual([expect.objectContaining({ path: 'dteday', kind: 'missing' })]);
  });
});
