/** Small statistics helpers for the benchmark: medians and percentiles, never means of noisy timings. */

export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export const median = (values: readonly number[]) => percentile(values, 0.5);

export function round(x: number, digits = 3): number {
  return Number(x.toPrecision(digits));
}

/** Runs `work` `reps` times and returns the median duration in ms. */
export async function medianMs(reps: number, work: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  return median(times);
}
