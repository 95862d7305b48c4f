/**
 * The demand level. Bike demand grew ~65 % from 2011 to 2012; trees cannot carry such a level
 * shift forward, so the model learns log(rentals) minus a per-year log level, and the level is
 * multiplied back after the model (manifest `output.level`). Fitted by backfitting: the trees
 * explain weather and calendar, the level explains what is left per year.
 */

export interface LevelFit {
  /** Multiplicative level per year, the first year = 1. */
  byYear: Record<string, number>;
}

/**
 * One backfitting update. `residual[i]` = log(actual) - log(level) - model; the update moves each
 * year's log level by its mean residual, over the last `recentDays` rows of that year when given
 * (the latest level matters most for forecasting forward).
 */
export function updateLevel(years: readonly number[], residual: ArrayLike<number>, logLevel: Map<number, number>, recentDays?: number): void {
  const rowsByYear = new Map<number, number[]>();
  years.forEach((y, i) => {
    const rows = rowsByYear.get(y) ?? [];
    rows.push(i);
    rowsByYear.set(y, rows);
  });
  for (const [year, rows] of rowsByYear) {
    const used = recentDays ? rows.slice(-recentDays) : rows;
    const mean = used.reduce((sum, i) => sum + residual[i]!, 0) / used.length;
    logLevel.set(year, (logLevel.get(year) ?? 0) + mean);
  }
  const first = Math.min(...logLevel.keys());
  const shift = logLevel.get(first)!;
  for (const [year, value] of logLevel) logLevel.set(year, value - shift);
}

export function levelToManifest(logLevel: ReadonlyMap<number, number>): LevelFit {
  const byYear: Record<string, number> = {};
  for (const [year, value] of [...logLevel].sort((a, b) => a[0] - b[0])) byYear[String(year)] = Number(Math.exp(value).toPrecision(8));
  return { byYear };
}
