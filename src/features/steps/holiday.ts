import * as z from 'zod/mini';
import { epochDay, parseIsoDate, weekday, type CivilDate } from '../calendar.js';
import { isHoliday } from '../holidays.js';
import { inputName, type CompiledStep, type StepContext } from './step.js';

/**
 * `holiday` and `workingDay`: 1/0 columns from a date or date-time. The calendar is the built-in
 * `us-dc` (US federal + DC Emancipation Day) or the spec's own list of dates. An optional boolean
 * input overrides the calendar for one record. No fitted parameters.
 */

const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD'));
const holidayCalendar = z.union([z.literal('us-dc'), z.strictObject({ name: z.optional(z.string()), dates: z.array(isoDate) })]);

const shape = {
  input: inputName,
  calendar: holidayCalendar,
  /** Optional boolean input that overrides the calendar for a record. */
  override: z.optional(z.string()),
};
export const holidayStep = z.strictObject({ step: z.literal('holiday'), ...shape });
export const workingDayStep = z.strictObject({ step: z.literal('workingDay'), ...shape });
export type HolidayStep = z.infer<typeof holidayStep> | z.infer<typeof workingDayStep>;

export function compileHoliday(step: HolidayStep, ctx: StepContext): CompiledStep {
  const k = ctx.slot(step.input, ['date', 'datetime']);
  const o = step.override === undefined ? -1 : ctx.slot(step.override, ['boolean'], true);
  const working = step.step === 'workingDay';
  const holiday = holidayTest(step.calendar);
  return {
    columns: [`${step.input}.${step.step}`],
    write(values, row, at) {
      const date = values[k] as CivilDate;
      const override = o < 0 ? undefined : (values[o] as number | undefined);
      const isOff = override === undefined || Number.isNaN(override) ? holiday(date) : override === 1;
      const wd = weekday(date);
      row[at] = Number(working ? wd !== 0 && wd !== 6 && !isOff : isOff);
    },
  };
}

function holidayTest(calendar: HolidayStep['calendar']): (d: CivilDate) => boolean {
  if (calendar === 'us-dc') return isHoliday;
  const days = new Set(calendar.dates.map((text) => epochDay(parseIsoDate(text) ?? { year: NaN, month: 1, day: 1 })));
  return (d) => days.has(epochDay(d));
}
