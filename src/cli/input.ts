import type { InputField } from '../schema/manifest.js';

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
export function parseInput(text: string, fields: readonly InputField[], format?: InputFormat): ParsedInput {
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

function parseJson(text: string): ParsedInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const message = (cause as Error).message;
    const at = /position (\d+)/.exec(message);
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : undefined;
    throw new InputError(`not valid JSON: ${message}`, line);
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

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** RFC 4180 CSV: quoted cells may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string, fields: readonly InputField[]): ParsedInput {
  const rows = csvRows(text);
  const header = rows.shift();
  if (!header) throw new InputError('the CSV has no header row');
  const names = header.cells.map((c) => c.trim());
  const types = names.map((n) => fields.find((f) => f.name === n)?.type);
  const records: unknown[] = [];
  const lines: number[] = [];
  for (const row of rows) {
    if (row.cells.length === 1 && row.cells[0]!.trim() === '') continue;
    if (row.cells.length !== names.length) {
      throw new InputError(`expected ${names.length} cells (as in the header), found ${row.cells.length}`, row.line);
    }
    const record: Record<string, unknown> = {};
    row.cells.forEach((cell, i) => {
      const value = typedCell(cell, types[i]);
      // An empty cell is an absent field: the schema then says whether that is allowed.
      if (value !== undefined) record[names[i]!] = value;
    });
    records.push(record);
    lines.push(row.line);
  }
  return { records, lines, single: false };
}

/** Numbers for numeric fields and booleans for boolean ones; anything else stays text, so validation can name it. */
function typedCell(cell: string, type: InputField['type'] | undefined): unknown {
  const text = cell.trim();
  if (text === '') return undefined;
  if ((type === 'number' || type === 'integer') && NUMBER.test(text)) return Number(text);
  if (type === 'boolean') {
    const lower = text.toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
  }
  return cell;
}

function csvRows(text: string): Array<{ cells: string[]; line: number }> {
  const rows: Array<{ cells: string[]; line: number }> = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let i = 0;
  const endRow = () => {
    cells.push(cell);
    rows.push({ cells, line: start });
    cells = [];
    cell = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
      i++;
      continue;
    }
    if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      start = line;
    } else cell += c;
    i++;
  }
  if (quoted) throw new InputError('a quoted CSV cell is never closed', start);
  if (cell !== '' || cells.length) endRow();
  return rows;
}
