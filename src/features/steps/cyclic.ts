import * as z from 'zod/mini';
import { SpecError } from '../../errors.js';
import { daysInMonth, isLeapYear, type CivilDate } from '../calendar.js';
import { calendarParts, PART_OF } from './calendar.js';
import { inputName, type CompiledStep, type StepContext } from './step.js';

/**
 * `cyclic`: sin and cos of a periodic value, so December sits next to January and 23:00 next to
 * midnight. Either a calendar `part` of a date or date-time (its natural period), or a number
 * with an explicit `period`. No fitted parameters.
 */

export const cyclicStep = z.strictObject({
  step: z.literal('cyclic'),
  input: inputName,
  part: z.optional(calendarParts),
  period: z.optional(z.number().check(z.positive())),
});
export type CyclicStep = z.infer<typeof cyclicStep>;

const TAU = 2 * Math.PI;

/** Position in the cycle, 0 ≤ phase < 1, of a calendar part. */
const PHASE: Partial<Record<z.infer<typeof calendarParts>, (d: CivilDate) => number>> = {
  dayOfYear: (d) => (PART_OF.dayOfYear(d) - 1) / (isLeapYear(d.year) ? 366 : 365),
  month: (d) => (d.month - 1) / 12,
  dayOfMonth: (d) => (d.day - 1) / daysInMonth(d.year, d.month),
  weekday: (d) => PART_OF.weekday(d) / 7,
  season: (d) => (PART_OF.season(d) - 1) / 4,
  hour: (d) => PART_OF.hour(d) / 24,
};

export function compileCyclic(step: CyclicStep, ctx: StepContext): CompiledStep {
  const name = step.part ? `${step.input}.${step.part}` : step.input;
  const columns = [`${name}.sin`, `${name}.cos`];
  if (step.part) {
    const phase = PHASE[step.part];
    if (!phase) throw new SpecError(`Feature step "cyclic" on "${step.input}": part ${step.part} has no cycle`);
    const k = ctx.slot(step.input, step.part === 'hour' ? ['datetime'] : ['date', 'datetime']);
    return {
      columns,
      write(values, row, at) {
        const angle = TAU * phase(values[k] as CivilDate);
        row[at] = Math.sin(angle);
        row[at + 1] = Math.cos(angle);
      },
    };
  }
  const period = step.period;
  if (period === undefined) throw new SpecError(`Feature step "cyclic" on "${step.input}": give a calendar part or a period`);
  const k = ctx.slot(step.input, ['number', 'integer']);
  return {
    columns,
    write(values, row, at) {
      const angle = (TAU * (values[k] as number)) / period;
      row[at] = Math.sin(angle);
      row[at + 1] = Math.cos(angle);
    },
  };
}
