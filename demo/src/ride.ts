import type { Predictor } from 'featurecast';
import { predictRecords, weatherRecord, type DayInputs, type DayResult } from './forecast.js';
import { typicalHoursFor, type TypicalHours } from './hourly-weather.js';
import { applyShift, type Shift } from './shift.js';
import { daylightHours } from './sun.js';

/** The when-to-ride view's state: one day's 24 hours, each with editable weather, and how to predict them. */

/** One hour of the chosen day and its editable weather. */
export interface HourSlot {
  hour: number;
  /** Local Washington DC time, `YYYY-MM-DDTHH:00`: the hourly model's `time` input. */
  time: string;
  inputs: DayInputs;
}

/** "08:00". */
export const hourLabel = (hour: number): string => `${String(hour).padStart(2, '0')}:00`;

/** The day's 24 hours with the typical weather of each hour for its date, plus the visitor's shift. */
export function makeHours(date: string, table: TypicalHours, shift: Shift): HourSlot[] {
  return typicalHoursFor(table, date).map((inputs, hour) => ({
    hour,
    time: `${date}T${hourLabel(hour)}`,
    inputs: applyShift(inputs, shift),
  }));
}

/** Predicts the 24 hours in one batch; an hour with bad inputs comes back as problems. */
export function predictHours(predictor: Predictor, hours: readonly HourSlot[]): Promise<{ results: DayResult[]; ms: number }> {
  return predictRecords(
    predictor,
    hours.map((h) => ({ time: h.time, ...weatherRecord(h.inputs) })),
  );
}

/** The day's total: the sum of its hours, or undefined while any hour has no prediction. */
export function dayTotal(results: readonly DayResult[]): number | undefined {
  let total = 0;
  for (const r of results) {
    if (!r.ok) return undefined;
    total += r.rentals;
  }
  return results.length ? total : undefined;
}

/** The `count` quietest hours between sunrise and sunset, in time order (ties: the earlier hour). */
export function quietestDaylight(date: string, results: readonly DayResult[], count = 3): number[] {
  const daylight = daylightHours(date).filter((h) => results[h]?.ok);
  const rentals = (h: number) => (results[h] as Extract<DayResult, { ok: true }>).rentals;
  return [...daylight]
    .sort((a, b) => rentals(a) - rentals(b) || a - b)
    .slice(0, count)
    .sort((a, b) => a - b);
}
