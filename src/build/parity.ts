import { DataError, type ValidationIssue } from '../errors.js';
import { createSession } from '../engine/engines/session.js';
import type { CivilDate } from '../features/calendar.js';
import { compilePipeline } from '../features/pipeline.js';
import { createPredictor } from '../predictor.js';
import type { Histogram } from '../schema/manifest.js';
import type { Bundle, BundleOptions } from './bundle.js';
import { histogramOf } from './reference.js';
import { rowsOf, type DataSource } from './rows.js';

/**
 * The proof of no skew: the finished bundle, run through the library on check rows, gives the
 * trainer's own predictions (the model's raw outputs, before any transform back, level or clamp).
 */

/** Relative difference allowed between the bundle and the trainer: float32 sums over many trees. */
export const PARITY_TOLERANCE = 1e-5;

/** What `bundle` checked, when asked to. */
export interface ParityReport {
  rows: number;
  /** Largest |library − expected| / max(1, |expected|) over every output value; undefined without `expect`. */
  worstRelativeDiff: number | undefined;
}

/** Records to check a bundle on, with the line (or position) of each and where they came from. */
export interface CheckRows {
  records: Record<string, unknown>[];
  lines: number[];
  name: string;
}

/** The model a bundle's ONNX was converted from, evaluated on rows of the pipeline's matrix. */
export interface SourceModel {
  name: string;
  evaluate(matrix: Float32Array, rows: number): ArrayLike<number>[];
}

/**
 * Checks `bundle` on the rows: the library predicts them; its raw outputs equal the source model's
 * (a converted model) and `expect` (the trainer's predictions). Also returns the rows' output
 * statistics for drift monitoring.
 */
export async function checkParity(
  bundle: Bundle,
  rows: CheckRows,
  expect: BundleOptions['expect'],
  source?: SourceModel,
): Promise<{ parity: ParityReport; outputReference: Histogram }> {
  const { records, lines } = rows;
  await predictAsAnApp(bundle, rows);
  const { raw, months, matrix } = await rawOutputs(bundle, records);
  const outputReference = referenceOf(bundle, raw, months);
  const columns = raw.length / records.length;
  let worst: number | undefined;
  if (source) {
    const evaluated = source.evaluate(matrix, records.length).map((row) => Array.from(row));
    worst = compare(raw, evaluated, columns, lines, `${source.name} (the source model)`);
  }
  if (expect !== undefined) {
    const expected = await expectedRows(expect, columns);
    if (expected.length !== records.length)
      throw new DataError(`expect has ${expected.length} predictions for ${records.length} check rows`, []);
    worst = Math.max(worst ?? 0, compare(raw, expected, columns, lines, 'the expected predictions'));
  }
  return { parity: { rows: records.length, worstRelativeDiff: worst }, outputReference };
}

/** The worst relative difference of the library's outputs from `expected`; beyond PARITY_TOLERANCE anywhere it throws, naming rows and both values. */
function compare(raw: Float32Array, expected: readonly number[][], columns: number, lines: readonly number[], what: string): number {
  let worst = 0;
  const off: string[] = [];
  expected.forEach((row, i) => {
    for (let c = 0; c < columns; c++) {
      const got = raw[i * columns + c]!;
      const want = row[c]!;
      const diff = Math.abs(got - want) / Math.max(1, Math.abs(want));
      if (!(diff <= PARITY_TOLERANCE)) off.push(`line ${lines[i]}${columns > 1 ? `, column ${c}` : ''}: library ${got}, expected ${want}`);
      worst = Number.isNaN(diff) ? Infinity : Math.max(worst, diff);
    }
  });
  if (off.length) {
    throw new DataError(
      `${off.length} of ${raw.length} check values differ from ${what} beyond ${PARITY_TOLERANCE} (relative):\n  ${off.slice(0, 20).join('\n  ')}`,
      [],
      {
        worstRelativeDiff: worst,
      },
    );
  }
  return worst;
}

/** The published outputs, exactly as an app gets them: any record the library refuses fails the bundle. */
async function predictAsAnApp(bundle: Bundle, { records, lines, name }: CheckRows): Promise<void> {
  const predictor = await createPredictor(bundle, { worker: false, cache: false, monitor: false });
  try {
    await predictor.predictBatch(records);
  } catch (error) {
    const issues = (error as { issues?: ValidationIssue[] }).issues;
    if (!issues) throw error;
    throw new DataError(
      `The bundle refuses check rows of ${name}: ${issues
        .slice(0, 5)
        .map((i) => `line ${lines[i.index]}, field "${i.path}": ${i.message}`)
        .join('; ')}`,
      issues.map((i) => ({ ...i, index: lines[i.index] ?? i.index })),
    );
  } finally {
    await predictor.dispose();
  }
}

/** The model's own outputs for records, through the library's pipeline, and each record's month (for seasonal references). */
async function rawOutputs(
  bundle: Bundle,
  records: readonly unknown[],
): Promise<{ raw: Float32Array; months: number[] | null; matrix: Float32Array }> {
  const { manifest } = bundle;
  const pipeline = compilePipeline(manifest.inputs, manifest.features);
  const monthSlot = manifest.inputs.findIndex((f) => f.name === manifest.reference?.monthsOf);
  const months: number[] = [];
  const { matrix } = pipeline.encode(records, { onRow: (values) => monthSlot >= 0 && months.push((values[monthSlot] as CivilDate).month) });
  const session = await createSession(bundle.model, {
    inputName: manifest.model.inputName,
    outputName: manifest.model.outputName,
    width: pipeline.width,
  });
  try {
    return { raw: Float32Array.from(await session.run(matrix, records.length)), months: monthSlot >= 0 ? months : null, matrix };
  } finally {
    await session.release();
  }
}

/** Level-free published values (regression) or predicted classes, as the monitor observes them. */
function referenceOf(bundle: Bundle, raw: Float32Array, months: number[] | null): Histogram {
  const { output } = bundle.manifest;
  if (output.labels) {
    const k = output.labels.length;
    const classes = Array.from({ length: raw.length / k }, (_, i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (raw[i * k + c]! > raw[i * k + best]!) best = c;
      return best;
    });
    // One bin per class: edges halfway between class indices.
    const edges = Array.from({ length: k - 1 }, (_, c) => c + 0.5);
    return { edges, ...binCounts(classes, k, months) };
  }
  const inverse = output.inverse === 'exp' ? Math.exp : output.inverse === 'expm1' ? Math.expm1 : (v: number) => v;
  const clamp = output.clampMin ?? -Infinity;
  return histogramOf(
    Array.from(raw, (v) => Math.max(clamp, inverse(v))),
    months,
  );
}

function binCounts(classes: readonly number[], k: number, months: number[] | null): Pick<Histogram, 'freq' | 'byMonth'> {
  const share = (c: number, t: number) => (t ? Number((c / t).toFixed(6)) : 0);
  const freq = Array.from({ length: k }, (_, c) => share(classes.filter((x) => x === c).length, classes.length));
  if (!months) return { freq };
  const byMonth = Array.from({ length: 12 }, (_, m) => {
    const inMonth = classes.filter((_, i) => months[i] === m + 1);
    return Array.from({ length: k }, (_, c) => share(inMonth.filter((x) => x === c).length, inMonth.length));
  });
  return { freq, byMonth };
}

/** Expected outputs, `columns` per row; a binary classifier's may give only the second label's probability. */
async function expectedRows(expect: NonNullable<BundleOptions['expect']>, columns: number): Promise<number[][]> {
  const rows: number[][] = [];
  const add = (cells: readonly unknown[], where: string) => {
    const values = cells.map(Number);
    if (values.length === 1 && columns === 2) values.unshift(1 - values[0]!);
    if (values.length !== columns || values.some((v) => !Number.isFinite(v))) {
      throw new DataError(
        `expect, ${where}: expected ${columns === 1 ? 'one number' : `${columns} numbers (one per label)`}, got ${JSON.stringify(cells)}`,
        [],
      );
    }
    rows.push(values);
  };
  if (typeof expect !== 'string' && (typeof expect[0] === 'number' || Array.isArray(expect[0]))) {
    (expect as ReadonlyArray<number | readonly number[]>).forEach((row, i) => add(Array.isArray(row) ? row : [row], `row ${i + 1}`));
    return rows;
  }
  for await (const { record, line } of rowsOf(expect as DataSource, [])) add(Object.values(record), `line ${line}`);
  return rows;
}
