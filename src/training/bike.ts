import type { Postprocess } from '../schema/manifest.js';
import type { DraftField, DraftStep } from '../features/fit.js';
import { WEATHER } from '../schema/uci.js';

/** The bike-daily model's declared inputs, feature steps and outputs; fitting fills the numbers in. */

export const BIKE_FIELDS: DraftField[] = [
  { name: 'date', type: 'date', required: true, description: 'Calendar day of the forecast', outOfRange: 'extrapolate' },
  { name: 'temperature', type: 'number', unit: '°C', required: true, description: 'Mean air temperature', outOfRange: 'clip' },
  { name: 'feelsLike', type: 'number', unit: '°C', required: true, description: 'Mean feels-like temperature', outOfRange: 'clip' },
  { name: 'humidity', type: 'number', unit: '%', required: true, description: 'Mean relative humidity', outOfRange: 'clip' },
  { name: 'windSpeed', type: 'number', unit: 'km/h', required: true, description: 'Mean wind speed', outOfRange: 'clip' },
  {
    name: 'weather',
    type: 'category',
    required: true,
    description: 'Worst condition of the day (UCI weathersit 1–4 accepted too)',
    values: [...WEATHER],
    aliases: { '1': 'clear', '2': 'mist', '3': 'light-precipitation', '4': 'heavy-precipitation' },
    unknown: 'reject',
  },
  { name: 'holiday', type: 'boolean', required: false, description: 'Overrides the US federal + DC holiday calendar for this day' },
];

export const BIKE_STEPS: DraftStep[] = [
  { step: 'calendar', input: 'date', parts: ['dayOfYear', 'weekday', 'season'] },
  { step: 'holiday', input: 'date', calendar: 'us-dc', override: 'holiday' },
  { step: 'workingDay', input: 'date', calendar: 'us-dc', override: 'holiday' },
  { step: 'scale', input: 'temperature' },
  { step: 'scale', input: 'feelsLike' },
  { step: 'scale', input: 'humidity' },
  { step: 'scale', input: 'windSpeed' },
  { step: 'categoryCode', input: 'weather' },
];

/** Output spec without the fitted parts (level per year, band thresholds). */
export const BIKE_OUTPUT: Omit<Postprocess, 'level' | 'bands'> = {
  name: 'rentals',
  unit: 'rentals/day',
  inverse: 'exp',
  clampMin: 0,
};

export const BUSYNESS_LABELS = ['quiet', 'normal', 'busy', 'very busy'] as const;
