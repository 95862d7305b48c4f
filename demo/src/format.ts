/** Number formatting shared by the views. */

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function formatCount(n: number): string {
  return whole.format(Math.round(n));
}

export function formatNumber(n: number): string {
  return oneDecimal.format(n);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${oneDecimal.format(n / 1024)} kB`;
  return `${oneDecimal.format(n / (1024 * 1024))} MB`;
}

/** Milliseconds with a sensible precision: "0.42 ms", "3.1 ms", "120 ms", "2.4 s". */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** Rounds to one decimal, the precision the weather inputs show. */
export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
