import { BundleError, ValidationError, type ValidationIssue } from '../errors.js';
import type { FeatureStep, InputField } from '../schema/manifest.js';
import { compileReader, type FieldValue, type RecordReader, type Warning } from '../schema/record.js';
import { compileStep, stepContext } from './steps/index.js';

/**
 * Raw records → the model's float32 input matrix. Training and prediction both call `encode`,
 * which is the whole guarantee against training/serving skew.
 */

export interface EncodeOptions {
  /** `reject` (default): any invalid record throws one ValidationError listing all issues. `report`: invalid rows are zero-filled and flagged in `rejected`. */
  invalid?: 'reject' | 'report';
  /** Refuse fields the schema does not declare. */
  strict?: boolean;
  /** Called once per valid record with its validated values (used by post-processing and monitoring). */
  onRow?: (values: readonly FieldValue[], index: number) => void;
}

export interface Encoded {
  /** Row-major, `rows × width`. */
  matrix: Float32Array;
  rows: number;
  issues: ValidationIssue[];
  warnings: Warning[];
  /** 1 where a record was rejected (report mode only; null when every record is valid). */
  rejected: Uint8Array | null;
}

export interface Pipeline {
  readonly fields: readonly InputField[];
  /** Model column names, in order. */
  readonly columns: readonly string[];
  readonly width: number;
  encode(records: readonly unknown[], options?: EncodeOptions): Encoded;
}

export function compilePipeline(fields: readonly InputField[], steps: readonly FeatureStep[]): Pipeline {
  const names = new Set<string>();
  for (const f of fields) {
    if (names.has(f.name)) throw new BundleError('ERR_BUNDLE_INVALID', `Input "${f.name}" is declared twice`);
    names.add(f.name);
  }
  const compiled = steps.map((s) => compileStep(s, stepContext(fields, s)));
  const columns = compiled.flatMap((s) => s.columns);
  const repeated = columns.find((c, i) => columns.indexOf(c) !== i);
  if (repeated !== undefined)
    throw new BundleError('ERR_BUNDLE_INVALID', `Two feature steps write the column "${repeated}"; give each input one step of each kind`);
  const offsets = compiled.map((_, i) => compiled.slice(0, i).reduce((n, s) => n + s.columns.length, 0));
  const width = columns.length;
  const readers = { lenient: compileReader(fields), strict: compileReader(fields, { strict: true }) };

  return {
    fields,
    columns,
    width,
    encode(records, options = {}) {
      const reader = options.strict ? readers.strict : readers.lenient;
      const rows = records.length;
      const matrix = new Float32Array(rows * width);
      const issues: ValidationIssue[] = [];
      const warnings: Warning[] = [];
      const values: FieldValue[] = new Array(fields.length);
      let rejected: Uint8Array | null = null;
      for (let i = 0; i < rows; i++) {
        if (!readSafely(reader, records[i], i, values, issues, warnings)) {
          (rejected ??= new Uint8Array(rows))[i] = 1;
          continue;
        }
        const at = i * width;
        for (let s = 0; s < compiled.length; s++) compiled[s]!.write(values, matrix, at + offsets[s]!);
        options.onRow?.(values, i);
      }
      if (issues.length && options.invalid !== 'report') throw new ValidationError(issues);
      return { matrix, rows, issues, warnings, rejected };
    },
  };
}

/** A record is caller data: a throwing getter or Proxy trap must become an issue of that record, not fail the batch. */
function readSafely(
  reader: RecordReader,
  record: unknown,
  index: number,
  values: FieldValue[],
  issues: ValidationIssue[],
  warnings: Warning[],
): boolean {
  try {
    return reader.read(record, index, values, issues, warnings);
  } catch (error) {
    issues.push({
      index,
      path: '',
      kind: 'record',
      message: `reading the record threw: ${error instanceof Error ? error.message : String(error)}`,
      received: 'object',
    });
    return false;
  }
}
