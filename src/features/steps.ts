import { BundleError } from '../errors.js';
import type { FeatureStep, InputField } from '../schema/manifest.js';
import type { FieldValue } from '../schema/record.js';
import { dayOfYear, season, weekday, type CivilDate } from './calendar.js';
import { isHoliday, isWorkingDay } from './holidays.js';

/**
 * The feature steps: each turns validated field values into one or more model columns.
 * To add a step: declare its parameters in schema/manifest.ts (`featureStep`), compile it here,
 * fit it in features/fit.ts if it has fitted parameters, and test it in test/unit/steps.test.ts.
 */

export interface CompiledStep {
  /** Model column names this step writes, in order. */
  readonly columns: readonly string[];
  /** Writes `columns.length` values at `row[at…]`. `values` holds one validated value per input field. */
  write(values: readonly FieldValue[], row: Float32Array, at: number): void;
}

type Lookup = (name: string, types: readonly InputField['type'][], step: FeatureStep, optional?: boolean) => number;

const calendarParts = {
  dayOfYear: (d: CivilDate) => dayOfYear(d),
  month: (d: CivilDate) => d.month,
  dayOfMonth: (d: CivilDate) => d.day,
  weekday: (d: CivilDate) => weekday(d),
  season: (d: CivilDate) => season(d),
} as const;

export function compileStep(step: FeatureStep, fieldIndex: Lookup): CompiledStep {
  switch (step.step) {
    case 'calendar': {
      const k = fieldIndex(step.input, ['date'], step);
      const origin = step.originYear;
      if (step.parts.includes('yearOffset') && origin === undefined) {
        throw new BundleError('ERR_BUNDLE_INVALID', `Calendar part yearOffset of "${step.input}" needs originYear`);
      }
      const parts = step.parts.map((part) => (part === 'yearOffset' ? (d: CivilDate) => d.year - origin! : calendarParts[part]));
      return {
        columns: step.parts.map((p) => `${step.input}.${p}`),
        write(values, row, at) {
          const date = values[k] as CivilDate;
          for (let p = 0; p < parts.length; p++) row[at + p] = parts[p]!(date);
        },
      };
    }
    case 'holiday':
    case 'workingDay': {
      const k = fieldIndex(step.input, ['date'], step);
      const o = step.override === undefined ? -1 : fieldIndex(step.override, ['boolean'], step, true);
      const working = step.step === 'workingDay';
      return {
        columns: [`${step.input}.${step.step}`],
        write(values, row, at) {
          const date = values[k] as CivilDate;
          const override = o < 0 ? undefined : (values[o] as number | undefined);
          const holiday = override === undefined ? undefined : override === 1;
          row[at] = working ? Number(isWorkingDay(date, holiday)) : Number(holiday ?? isHoliday(date));
        },
      };
    }
    case 'scale': {
      const k = fieldIndex(step.input, ['number', 'integer'], step);
      const { center, scale } = step;
      return {
        columns: [step.input],
        write(values, row, at) {
          row[at] = ((values[k] as number) - center) / scale;
        },
      };
    }
    case 'categoryCode': {
      const k = fieldIndex(step.input, ['category'], step);
      const codes = new Map(Object.entries(step.codes));
      return {
        columns: [step.input],
        write(values, row, at) {
          row[at] = codes.get(values[k] as string)!;
        },
      };
    }
  }
}

/** Builds the field lookup that steps use, refusing a manifest whose steps name missing or mistyped inputs. */
export function fieldLookup(fields: readonly InputField[]): Lookup {
  return (name, types, step, optional = false) => {
    const k = fields.findIndex((f) => f.name === name);
    const field = fields[k];
    if (!field || !types.includes(field.type)) {
      throw new BundleError(
        'ERR_BUNDLE_INVALID',
        `Feature step "${step.step}" needs input "${name}" of type ${types.join(' or ')}, but the manifest ${field ? `declares it as ${field.type}` : 'has no such input'}`,
      );
    }
    if (!optional && !field.required && field.default === undefined) {
      throw new BundleError('ERR_BUNDLE_INVALID', `Input "${name}" feeds step "${step.step}", so it must be required or have a default`);
    }
    if (step.step === 'categoryCode' && field.type === 'category') {
      const missing = field.values.filter((v) => !(v in step.codes));
      if (missing.length) throw new BundleError('ERR_BUNDLE_INVALID', `Step categoryCode for "${name}" has no code for ${missing.join(', ')}`);
    }
    return k;
  };
}
