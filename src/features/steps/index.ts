import * as z from 'zod/mini';
import { BundleError } from '../../errors.js';
import type { InputField } from '../../schema/manifest.js';
import { bucketizeSpec, bucketizeStep, compileBucketize, fitBucketize } from './bucketize.js';
import { calendarStep, compileCalendar, fitCalendar } from './calendar.js';
import { categoryCodeSpec, categoryCodeStep, compileCategoryCode, fitCategoryCode } from './category-code.js';
import { compileCyclic, cyclicStep } from './cyclic.js';
import { compileHoliday, holidayStep, workingDayStep } from './holiday.js';
import { compileLog1p, fitLog1p, log1pStep } from './log1p.js';
import { compileMinMax, fitMinMax, minMaxSpec, minMaxStep } from './min-max.js';
import { compileOneHot, fitOneHot, oneHotSpec, oneHotStep } from './one-hot.js';
import { compilePassthrough, passthroughStep } from './passthrough.js';
import { compileStandardize, fitStandardize, scaleStep, standardizeSpec, standardizeStep } from './standardize.js';
import type { CompiledStep, FitData, StepContext } from './step.js';

/**
 * The feature steps. Each lives in its own file here, with its parameters (zod), its fit (the
 * training-time half) and its compile (the per-record half). To add a step: write its file,
 * list it in `featureStep`, `stepSpec`, `compileStep` (and `fitStep` if it learns parameters)
 * below, describe it in docs/pipeline-spec.md, and test it in test/unit/steps.test.ts.
 */

/** A fitted step, as the manifest carries it. */
export const featureStep = z.discriminatedUnion('step', [
  calendarStep,
  holidayStep,
  workingDayStep,
  standardizeStep,
  scaleStep,
  minMaxStep,
  log1pStep,
  bucketizeStep,
  cyclicStep,
  oneHotStep,
  categoryCodeStep,
  passthroughStep,
]);
export type FeatureStep = z.infer<typeof featureStep>;

/** A step as a pipeline spec writes it, before fitting. */
export const stepSpec = z.discriminatedUnion('step', [
  calendarStep,
  holidayStep,
  workingDayStep,
  standardizeSpec,
  minMaxSpec,
  log1pStep,
  bucketizeSpec,
  cyclicStep,
  oneHotSpec,
  categoryCodeSpec,
  passthroughStep,
]);
export type StepSpec = z.infer<typeof stepSpec>;

export function compileStep(step: FeatureStep, ctx: StepContext): CompiledStep {
  switch (step.step) {
    case 'calendar':
      return compileCalendar(step, ctx);
    case 'holiday':
    case 'workingDay':
      return compileHoliday(step, ctx);
    case 'standardize':
    case 'scale':
      return compileStandardize(step, ctx);
    case 'minMax':
      return compileMinMax(step, ctx);
    case 'log1p':
      return compileLog1p(step, ctx);
    case 'bucketize':
      return compileBucketize(step, ctx);
    case 'cyclic':
      return compileCyclic(step, ctx);
    case 'oneHot':
      return compileOneHot(step, ctx);
    case 'categoryCode':
      return compileCategoryCode(step, ctx);
    case 'passthrough':
      return compilePassthrough(step, ctx);
  }
}

/** Learns a step's parameters from the training data (build side only). */
export function fitStep(step: StepSpec, data: FitData): FeatureStep {
  switch (step.step) {
    case 'calendar':
      return fitCalendar(step, data);
    case 'standardize':
      return fitStandardize(step, data);
    case 'minMax':
      return fitMinMax(step, data);
    case 'log1p':
      return fitLog1p(step, data);
    case 'bucketize':
      return fitBucketize(step, data);
    case 'oneHot':
      return fitOneHot(step, data);
    case 'categoryCode':
      return fitCategoryCode(step, data);
    default:
      return step;
  }
}

/** The context steps compile against, refusing steps that name missing or mistyped inputs. */
export function stepContext(fields: readonly InputField[], step: FeatureStep): StepContext {
  const find = (name: string) => {
    const k = fields.findIndex((f) => f.name === name);
    if (k < 0) throw new BundleError('ERR_BUNDLE_INVALID', `Feature step "${step.step}" needs input "${name}", but there is no such input`);
    return k;
  };
  return {
    field: (name) => fields[find(name)]!,
    slot(name, types, optional = false) {
      const k = find(name);
      const field = fields[k]!;
      if (!types.includes(field.type)) {
        throw new BundleError(
          'ERR_BUNDLE_INVALID',
          `Feature step "${step.step}" needs input "${name}" of type ${types.join(' or ')}, but it is ${field.type}`,
        );
      }
      if (!optional && !field.required && field.default === undefined && field.missing !== 'model') {
        throw new BundleError(
          'ERR_BUNDLE_INVALID',
          `Input "${name}" feeds step "${step.step}", so it must be required, have a default or declare missing: "model"`,
        );
      }
      return k;
    },
  };
}
