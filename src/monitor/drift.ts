import type { Categorical, Histogram, InputField, Reference } from '../schema/manifest.js';
import type { FieldValue, Warning } from '../schema/record.js';
import type { CivilDate } from '../features/calendar.js';
import type { ValidationIssue } from '../errors.js';

/**
 * Drift monitoring on the device: every predicted record adds one count per monitored field
 * and one for the output, so a snapshot can compare today's inputs with the training data by
 * Population Stability Index. Weather is seasonal, so when the reference has per-month
 * frequencies the expected distribution is the training one *for the months seen*: November
 * traffic is compared with training Novembers, and only weather unusual for its season drifts.
 * Dates and booleans themselves are not monitored.
 */

/** Documented PSI bounds: ok < 0.1 ≤ warn < 0.25 ≤ alert. */
export const PSI_WARN = 0.1;
export const PSI_ALERT = 0.25;
/**
 * Below this many records a snapshot says `insufficient-data`: with k bins, PSI on n records
 * from an unchanged population is about (k − 1) / n by chance alone (≈ 0.045 for deciles here).
 */
export const MIN_RECORDS = 200;

export type DriftStatus = 'ok' | 'warn' | 'alert' | 'insufficient-data';

export interface FieldDrift {
  psi: number;
  status: DriftStatus;
  /** Values outside the training range (clipped, extrapolated or rejected). */
  outOfRange: number;
  /** Unknown category values (defaulted or rejected). */
  unknownCategory: number;
}

/** A JSON-safe snapshot an app can send to its own backend. */
export interface DriftSnapshot {
  records: number;
  status: DriftStatus;
  fields: Record<string, FieldDrift>;
  /** Null when the bundle carries no reference for its output. */
  output: { psi: number; status: DriftStatus } | null;
  thresholds: { warn: number; alert: number; minRecords: number };
}

export function statusOf(psi: number, records: number): DriftStatus {
  if (records < MIN_RECORDS) return 'insufficient-data';
  return psi >= PSI_ALERT ? 'alert' : psi >= PSI_WARN ? 'warn' : 'ok';
}

/** PSI = Σ (a − e) · ln(a / e) over bins; empty bins are floored so one empty bin cannot make it infinite. */
export function psi(expected: readonly number[], counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total === 0) return 0;
  const floor = 1e-4;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, floor);
    const a = Math.max(counts[i]! / total, floor);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** Bin index of `v`: the number of edges ≤ v. */
export function binOf(edges: readonly number[], v: number): number {
  let b = 0;
  while (b < edges.length && v >= edges[b]!) b++;
  return b;
}

interface Tracked {
  name: string;
  slot: number;
  reference: Histogram | Categorical;
  counts: Float64Array;
  bin: (value: FieldValue) => number;
}

/** Expected bin frequencies for traffic whose months were counted in `months`. */
function expected(ref: Histogram | Categorical, months: Float64Array, records: number): readonly number[] {
  const byMonth = ref.byMonth;
  if (!byMonth || records === 0) return ref.freq;
  const out = new Array<number>(ref.freq.length).fill(0);
  for (let m = 0; m < 12; m++) {
    const weight = months[m]! / records;
    if (weight > 0) for (let b = 0; b < out.length; b++) out[b]! += weight * byMonth[m]![b]!;
  }
  return out;
}

export class DriftMonitor {
  private records = 0;
  /** Records per calendar month (seasonal references only). */
  private readonly months = new Float64Array(12);
  private readonly tracked: Tracked[];
  private readonly outputCounts: Float64Array;
  private readonly outOfRange = new Map<string, number>();
  private readonly unknown = new Map<string, number>();

  constructor(
    private readonly reference: Reference,
    fields: readonly InputField[],
    /** Slot of the date input whose month selects the seasonal reference; -1 for none. */
    private readonly dateSlot: number,
  ) {
    this.tracked = [];
    fields.forEach((field, slot) => {
      const ref = reference.fields[field.name];
      if (!ref) return;
      const bin: Tracked['bin'] =
        'edges' in ref ? (value) => binOf(ref.edges, value as number) : (value) => ref.values.indexOf(value as string);
      this.tracked.push({ name: field.name, slot, reference: ref, counts: new Float64Array(ref.freq.length), bin });
    });
    this.outputCounts = new Float64Array(reference.output?.freq.length ?? 0);
  }

  observeRecord(values: readonly FieldValue[]): void {
    this.records++;
    if (this.dateSlot >= 0) this.months[(values[this.dateSlot] as CivilDate).month - 1]!++;
    for (const t of this.tracked) {
      const value = values[t.slot];
      // A missing value (NaN, `missing: "model"`) is in no bin.
      const b = Number.isNaN(value) ? -1 : t.bin(value);
      if (b >= 0) t.counts[b]!++;
    }
  }

  observeOutput(value: number): void {
    if (this.reference.output) this.outputCounts[binOf(this.reference.output.edges, value)]!++;
  }

  observeProblems(warnings: readonly Warning[], issues: readonly ValidationIssue[]): void {
    for (const w of warnings) bump(w.kind === 'unknown-category' ? this.unknown : this.outOfRange, w.field);
    for (const i of issues) {
      if (i.kind === 'unknown-category') bump(this.unknown, i.path);
      else if (i.kind === 'out-of-range') bump(this.outOfRange, i.path);
    }
  }

  snapshot(): DriftSnapshot {
    const fields: Record<string, FieldDrift> = {};
    let worst = 0;
    for (const t of this.tracked) {
      const value = round(psi(expected(t.reference, this.months, this.records), t.counts));
      worst = Math.max(worst, value);
      fields[t.name] = {
        psi: value,
        status: statusOf(value, this.records),
        outOfRange: this.outOfRange.get(t.name) ?? 0,
        unknownCategory: this.unknown.get(t.name) ?? 0,
      };
    }
    const ref = this.reference.output;
    const outputPsi = ref ? round(psi(expected(ref, this.months, this.records), this.outputCounts)) : 0;
    worst = Math.max(worst, outputPsi);
    return {
      records: this.records,
      status: statusOf(worst, this.records),
      fields,
      output: ref ? { psi: outputPsi, status: statusOf(outputPsi, this.records) } : null,
      thresholds: { warn: PSI_WARN, alert: PSI_ALERT, minRecords: MIN_RECORDS },
    };
  }

  reset(): void {
    this.records = 0;
    this.months.fill(0);
    for (const t of this.tracked) t.counts.fill(0);
    this.outputCounts.fill(0);
    this.outOfRange.clear();
    this.unknown.clear();
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
