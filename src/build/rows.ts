import { basename } from 'node:path';
import { DataError, type ValidationIssue } from '../errors.js';
import type { InputField } from '../schema/manifest.js';
import { readRecords } from './data.js';

/** Where the build side reads records from: a data file (CSV, JSON array or NDJSON) or records in memory. */
export type DataSource = string | readonly object[];

/** Progress of a long build step: `done` of `total` (when known) `unit`s, e.g. bytes of a file read or trees trained. */
export interface BuildProgress {
  stage: string;
  done: number;
  total?: number;
  unit: 'rows' | 'bytes' | 'trees';
}

export interface ReadOptions {
  onProgress?: ((progress: BuildProgress) => void) | undefined;
  stage?: string;
}

/** One record and the line of the file it starts on (its 1-based position for records in memory). */
export interface Row {
  record: Record<string, unknown>;
  line: number;
}

/** The records of a source, in order, with their lines. */
export async function* rowsOf(
  source: DataSource,
  fields: readonly Pick<InputField, 'name' | 'type'>[],
  options: ReadOptions = {},
): AsyncIterable<Row> {
  const stage = options.stage ?? 'read';
  if (typeof source !== 'string') {
    const total = source.length;
    for (let i = 0; i < total; i++) {
      if (i % 65_536 === 0) options.onProgress?.({ stage, done: i, total, unit: 'rows' });
      yield { record: source[i] as Record<string, unknown>, line: i + 1 };
    }
    options.onProgress?.({ stage, done: total, total, unit: 'rows' });
    return;
  }
  const onProgress = options.onProgress;
  yield* readRecords(source, {
    fields,
    ...(onProgress ? { onProgress: (done: number, total: number) => onProgress({ stage, done, total, unit: 'bytes' }) } : {}),
  });
}

/** How a source is named in messages and in the manifest's provenance. */
export function sourceName(source: DataSource): string {
  return typeof source === 'string' ? basename(source) : 'records';
}

/** Issues printed before the rest are only counted. */
const SHOWN = 20;

/**
 * Collects the problems of bad rows (no row is ever skipped silently) and throws them all as one
 * DataError naming line, field and reason; the issues' `index` is the row's line.
 */
export class BadRows {
  readonly issues: ValidationIssue[] = [];
  private rows = 0;

  add(issues: readonly ValidationIssue[], line: number): void {
    if (!issues.length) return;
    this.rows++;
    for (const issue of issues) this.issues.push({ ...issue, index: line });
  }

  throwIfAny(source: DataSource, what: string): void {
    if (!this.rows) return;
    const shown = this.issues.slice(0, SHOWN).map((i) => `  line ${i.index}${i.path ? `, field "${i.path}"` : ''}: ${i.message}`);
    const more = this.issues.length > SHOWN ? `\n  … and ${this.issues.length - SHOWN} more issues` : '';
    const name = sourceName(source);
    throw new DataError(
      `${this.rows} bad row${this.rows === 1 ? '' : 's'} in ${name} (${what}); no row is skipped, fix or remove them:\n${shown.join('\n')}${more}`,
      this.issues.slice(0, 1000),
      { source: name, badRows: this.rows, issueCount: this.issues.length },
    );
  }
}
