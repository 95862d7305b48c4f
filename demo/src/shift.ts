/**
 * Weather shifts a visitor can apply to see drift flagged: each is added to every forecast day's
 * weather and to every day of the drift panel's sample. A heat wave or cold snap moves the air
 * temperature and the feels-like temperature together (the one without the other would be a day
 * that cannot happen); humidity stays within 0–100 %.
 */

export type ShiftId = 'none' | 'heat' | 'cold' | 'humid';

export interface Shift {
  id: ShiftId;
  /** Radio label. */
  label: string;
  /** Words for sentences: "with the +10 °C heat wave". */
  phrase: string;
  /** Added to temperature and feels-like, in °C. */
  degrees: number;
  /** Added to humidity, in percentage points. */
  humidity: number;
}

export const SHIFTS: readonly Shift[] = [
  { id: 'none', label: 'None', phrase: 'unshifted', degrees: 0, humidity: 0 },
  { id: 'heat', label: '+10 °C heat wave', phrase: 'with the +10 °C heat wave', degrees: 10, humidity: 0 },
  { id: 'cold', label: '−10 °C cold snap', phrase: 'with the −10 °C cold snap', degrees: -10, humidity: 0 },
  { id: 'humid', label: '+30 % humidity', phrase: 'with 30 points more humidity', degrees: 0, humidity: 30 },
];

export const NO_SHIFT = SHIFTS[0]!;

export function shiftById(id: string): Shift {
  return SHIFTS.find((s) => s.id === id) ?? NO_SHIFT;
}

interface Weather {
  temperature: number | null;
  feelsLike: number | null;
  humidity: number | null;
}

/** Rounds away float noise (21.3 + 10 → 31.3) and nothing else. */
const tidy = (x: number) => Math.round(x * 1e4) / 1e4;

/** The same weather with the shift added; empty values stay empty, and no shift changes nothing. */
export function applyShift<T extends Weather>(weather: T, shift: Shift): T {
  if (shift.degrees === 0 && shift.humidity === 0) return { ...weather };
  const add = (v: number | null, d: number) => (v === null ? null : tidy(v + d));
  const humidity = weather.humidity === null ? null : Math.min(100, Math.max(0, tidy(weather.humidity + shift.humidity)));
  return {
    ...weather,
    temperature: add(weather.temperature, shift.degrees),
    feelsLike: add(weather.feelsLike, shift.degrees),
    humidity,
  } as T;
}

/** The shift choice as a radio group (one Tab stop, arrow keys to choose). */
export function renderShiftControl(fieldset: HTMLFieldSetElement, onChange: (shift: Shift) => void): void {
  const options = SHIFTS.map((shift) => {
    const input = Object.assign(document.createElement('input'), {
      type: 'radio',
      name: 'weather-shift',
      id: `shift-${shift.id}`,
      value: shift.id,
    });
    input.checked = shift === NO_SHIFT;
    input.addEventListener('change', () => input.checked && onChange(shift));
    const label = Object.assign(document.createElement('label'), { htmlFor: input.id, className: 'shift-option' });
    label.append(input, shift.label);
    return label;
  });
  fieldset.querySelector('.shift-options')?.replaceChildren(...options);
}
