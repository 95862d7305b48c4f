import { dayOfYear } from './dates.js';

/**
 * Typical weather per day of year, computed from the training data at training time and shipped
 * beside the model (models/bike-daily/typical-weather.json): the forecast's default inputs.
 */

export interface TypicalDay {
  dayOfYear: number;
  temperature: number;
  feelsLike: number;
  humidity: number;
  windSpeed: number;
  weather: string;
}

export interface TypicalWeather {
  source: string;
  days: readonly TypicalDay[];
}

/** Plain words for the model's weather categories; unknown values are shown as they are. */
export const CONDITION_LABELS: Readonly<Record<string, string>> = {
  clear: 'Clear or few clouds',
  mist: 'Mist or cloudy',
  'light-precipitation': 'Light rain or snow',
  'heavy-precipitation': 'Heavy rain or snow',
};

export function conditionLabel(value: string): string {
  return CONDITION_LABELS[value] ?? value;
}

/** Thrown when typical-weather.json cannot be fetched or read. */
export class TypicalWeatherError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TypicalWeatherError';
  }
}

export async function loadTypicalWeather(url: string): Promise<TypicalWeather> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new TypicalWeatherError(`Could not load the typical weather: ${(cause as Error).message}`, url);
  }
  if (!response.ok) throw new TypicalWeatherError(`Could not load the typical weather: HTTP ${response.status}`, url, response.status);
  const data = (await response.json().catch(() => null)) as Partial<TypicalWeather> | null;
  if (!data || !Array.isArray(data.days) || data.days.length === 0) {
    throw new TypicalWeatherError('The typical weather file has no days', url);
  }
  return { source: String(data.source ?? ''), days: data.days };
}

/** The typical day for a date: same day of year, else the nearest one listed. */
export function typicalFor(weather: TypicalWeather, iso: string): TypicalDay {
  const doy = dayOfYear(iso);
  let best = weather.days[0]!;
  for (const day of weather.days) {
    if (day.dayOfYear === doy) return day;
    if (Math.abs(day.dayOfYear - doy) < Math.abs(best.dayOfYear - doy)) best = day;
  }
  return best;
}
