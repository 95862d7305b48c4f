import { dayOfYear, parseIsoDate, season, weekday } from './calendar.js';
import { isHoliday, isWorkingDay } from './holidays.js';

/** A date as the calendar steps see it. */
export interface CalendarDay {
  year: number;
  month: number;
  day: number;
  dayOfYear: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** 1 winter … 4 fall, switching on Mar 21, Jun 21, Sep 23, Dec 21. */
  season: number;
  /** On the US federal + DC holiday calendar (observed days). */
  holiday: boolean;
  workingDay: boolean;
}

/** The calendar columns featurecast derives from `YYYY-MM-DD` (null when it is not a real date), e.g. to check a dataset's own calendar columns. */
export function calendarOf(date: string): CalendarDay | null {
  const d = parseIsoDate(date);
  if (!d) return null;
  const holiday = isHoliday(d);
  return { ...d, dayOfYear: dayOfYear(d), weekday: weekday(d), season: season(d), holiday, workingDay: isWorkingDay(d, holiday) };
}
