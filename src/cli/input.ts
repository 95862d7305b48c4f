import { CsvRecords, CsvSyntaxError, CsvTokenizer, type FieldType } from '../schema/csv.js';

/**
 * Records from text: JSON (an array or one object), NDJSON (one record per line) or CSV (a
 * header row). Each record keeps the line it started on, so errors can point into the file.
 */

/** The record formats `featurecast predict` reads. */
export type InputFormat = 'json' | 'ndjson' | 'csv';

/** Records read from an input, with where each came from. */
export interface ParsedInput {
  records: unknown[];
  /** 1-based source line of each record; empty for JSON, whose records have no line of their own. */
  lines: number[];
  /** The input was one JSON object rather than a list, so the answer is one prediction too. */
  single: boolean;
}

/** Bad input text: `line` is 1-based when known. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** The format named by a file's extension, if any. */
export function formatOfPath(path: string): InputFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === 'json') return 'json';
  if (ext === 'ndjson' || ext === 'jsonl') return 'ndjson';
  if (ext === 'csv') return 'csv';
  return undefined;
}

/** Parses `text` in `format`, or guesses: `[` is JSON, `{` is JSON or else NDJSON, anything else CSV. */
export function parseInput(text: string, fields: readonly FieldType[], format?: InputFormat): ParsedInput {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = body.trimStart()[0];
  if (first === undefined) throw new InputError('the input is empty');
  const chosen = format ?? (first === '[' ? 'json' : first === '{' ? (isJson(body) ? 'json' : 'ndjson') : 'csv');
  if (chosen === 'json') return parseJson(body);
  if (chosen === 'ndjson') return parseNdjson(body);
  return parseCsv(body, fields);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The 1-based line of `text` that JSON.parse's error points at, when its message gives a position. */
export function jsonErrorLine(cause: unknown, text: string): number | undefined {
  const at = /position (\d+)/.exec((cause as Error).message);
  return at ? text.slice(0, Number(at[1])).split('\n').length : undefined;
}

function parseJson(text: string): ParsedInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InputError(`not valid JSON: ${(cause as Error).message}`, jsonErrorLine(cause, text));
  }
  if (Array.isArray(value)) return { records: value, lines: [], single: false };
  return { records: [value], lines: [], single: true };
}

function parseNdjson(text: string): ParsedInput {
  const records: unknown[] = [];
  const lines: number[] = [];
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!.trim();
    if (!row) continue;
    try {
      records.push(JSON.parse(row));
    } catch (cause) {
      throw new InputError(`not valid JSON: ${(cause as Error).message}`, i + 1);
    }
    lines.push(i + 1);
  }
  return { records, lines, single: false };
}

/** RFC 4180 CSV with a header row; the tokenizer and cell typing are shared with the build side's file reader. */
function parseCsv(text: string, fields: readonly FieldType[]): ParsedInput {
  try {
    const tokenizer = new CsvTokenizer();
    const table = new CsvRecords(fields);
    const records: unknown[] = [];
    const lines: number[] = [];
    for (const row of [...tokenizer.push(text), ...tokenizer.end()]) {
      const record = table.record(row);
      if (record === undefined) continue;
      records.push(record);
      lines.push(row.line);
    }
    if (!table.hasHeader) throw new InputError('the CSV has no header row');
    return { records, lines, single: false };
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new InputError(error.message, error.line);
    throw error;
  }
}
