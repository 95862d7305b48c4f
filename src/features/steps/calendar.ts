import * as z from 'zod/mini';
import { BundleError } from '../../errors.js';
import { dayOfYear, season, weekday, type CivilDate } from '../calendar.js';
import type { CivilDateTime } from '../datetime.js';
import { inputName, type CompiledStep, type FitData, type StepContext } from './step.js';

/** `calendar`: columns derived from a date or date-time input (`date.month`, `time.hour`, …). No fitted parameters. */

export const calendarParts = z.enum(['dayOfYear', 'month', 'weekday', 'season', 'yearOffset', 'dayOfMonth', 'hour']);
export type CalendarPart = z.infer<typeof calendarParts>;

export const calendarStep = z.strictObject({
  step: z.literal('calendar'),
  input: inputName,
  parts: z.array(calendarParts).check(z.minLength(1)),
  /** Year that `yearOffset` counts from; fitted as the first training year when the spec leaves it out. */
  originYear: z.optional(z.int()),
});
export type CalendarStep = z.infer<typeof calendarStep>;

/** Part → value; `hour` exists only for date-times. */
export const PART_OF: Record<Exclude<CalendarPart, 'yearOffset'>, (d: CivilDate) => number> = {
  dayOfYear: (d) => dayOfYear(d),
  month: (d) => d.month,
  dayOfMonth: (d) => d.day,
  weekday: (d) => weekday(d),
  season: (d) => season(d),
  hour: (d) => (d as CivilDateTime).hour,
};

export function compileCalendar(step: CalendarStep, ctx: StepContext): CompiledStep {
  const hourly = step.parts.includes('hour');
  const k = ctx.slot(step.input, hourly ? ['datetime'] : ['date', 'datetime']);
  const origin = step.originYear;
  if (step.parts.includes('yearOffset') && origin === undefined) {
    throw new BundleError('ERR_BUNDLE_INVALID', `Calendar part yearOffset of "${step.input}" needs originYear`);
  }
  const parts = step.parts.map((part) => (part === 'yearOffset' ? (d: CivilDate) => d.year - origin! : PART_OF[part]));
  return {
    columns: step.parts.map((p) => `${step.input}.${p}`),
    write(values, row, at) {
      const date = values[k] as CivilDate;
      for (let p = 0; p < parts.length; p++) row[at + p] = parts[p]!(date);
    },
  };
}

export function fitCalendar(step: CalendarStep, data: FitData): CalendarStep {
  if (!step.parts.includes('yearOffset') || step.originYear !== undefined) return step;
  const years = data.values(step.input).map((d) => (d as CivilDate).year);
  return { ...step, originYear: Math.min(...years) };
}
