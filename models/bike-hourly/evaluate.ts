import { createPredictor, type Predictor } from 'featurecast';
import { scoreRegression, type Bundle, type RegressionScores } from 'featurecast/build';
import { uciHourToRecord, type UciHour } from './uci.js';

/**
 * How bike-hourly is scored: per hour, per day (the sums of each day's hours, what bike-daily
 * predicts), and as an operator would run it, recalibrated every week from recent actuals.
 */

/** Hourly scores, the scores of the daily sums, and the period. */
export interface HourlyScores {
  hourly: RegressionScores & { from: string; to: string };
  daily: RegressionScores & { from: string; to: string };
}

/** Scores predictions of `hours` per hour and per day (sums of each day's hours). */
export function scoreHours(hours: readonly UciHour[], predicted: readonly number[]): HourlyScores {
  const period = { from: hours[0]!.dteday, to: hours[hours.length - 1]!.dteday };
  const days = new Map<string, { actual: number; predicted: number }>();
  hours.forEach((h, i) => {
    const day = days.get(h.dteday) ?? { actual: 0, predicted: 0 };
    day.actual += h.cnt;
    day.predicted += predicted[i]!;
    days.set(h.dteday, day);
  });
  const sums = [...days.values()];
  return {
    hourly: {
      ...scoreRegression(
        hours.map((h) => h.cnt),
        predicted,
      ),
      ...period,
    },
    daily: {
      ...scoreRegression(
        sums.map((d) => d.actual),
        sums.map((d) => d.predicted),
      ),
      ...period,
    },
  };
}

/** Predictions of a bundle for hours, through the library as an app makes them. */
export async function predictHours(bundle: Bundle, hours: readonly UciHour[]): Promise<number[]> {
  const predictor = await createPredictor(bundle, { worker: false });
  try {
    return await predictWith(predictor, hours);
  } finally {
    await predictor.dispose();
  }
}

async function predictWith(predictor: Predictor, hours: readonly UciHour[]): Promise<number[]> {
  return (await predictor.predictBatch(hours.map(uciHourToRecord))).map((p) => p.rentals as number);
}

const DAY_MS = 86_400_000;
const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * Rolling origin: before each week of `scored` (from its first day), `predictor.calibrate` on the
 * actual hours of the `windowDays` days up to the day before (from `history` and the weeks
 * already past), then that week's predictions. The model itself stays as fitted.
 */
export async function predictRolling(
  bundle: Bundle,
  history: readonly UciHour[],
  scored: readonly UciHour[],
  windowDays: number,
): Promise<number[]> {
  const all = [...history, ...scored];
  const predictor = await createPredictor(bundle, { worker: false });
  try {
    const out: number[] = [];
    for (let week = scored[0]!.dteday; week <= scored[scored.length - 1]!.dteday; week = addDays(week, 7)) {
      const from = addDays(week, -windowDays);
      const recent = all.filter((h) => h.dteday >= from && h.dteday < week);
      await predictor.calibrate(recent.map((h) => ({ record: uciHourToRecord(h), actual: h.cnt })));
      const end = addDays(week, 7);
      out.push(
        ...(await predictWith(
          predictor,
          scored.filter((h) => h.dteday >= week && h.dteday < end),
        )),
      );
    }
    return out;
  } finally {
    await predictor.dispose();
  }
}

/** One line per score set, for the build log. */
export function describeScores(label: string, s: HourlyScores): string {
  const { hourly: h, daily: d } = s;
  return `${label} ${h.from}..${h.to}: hourly MAE ${h.mae}, RMSE ${h.rmse}, R² ${h.r2}, bias ${h.bias} (${h.rows} hours); daily sums MAE ${d.mae}, R² ${d.r2}, bias ${d.bias} (${d.rows} days)`;
}
