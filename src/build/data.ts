import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { formatOfPath, jsonErrorLine } from '../cli/input.js';
import { FeaturecastError } from '../errors.js';
import {
  csvLine,
  CsvRecords,
  CsvSyntaxError,
  CsvTokenizer,
  formatFloat32,
  type CsvRow,
  type FieldType,
  type UntypedCells,
} from '../schema/csv.js';

/**
 * Training and scoring data files for the build side, read as a stream of records, each with
 * the 1-based line it starts on. CSV, NDJSON and JSON arrays all stream: memory is bounded by
 * the longest record, not the file. Also a streaming CSV writer for feature tables.
 */

export { formatFloat32 } from '../schema/csv.js';
export type { FieldType, UntypedCells } from '../schema/csv.js';

/** The data file formats: CSV with a header row, a JSON array of objects, or NDJSON (one object per line). */
export type DataFormat = 'csv' | 'json' | 'ndjson';

/** One record of a data file and the 1-based line it starts on. */
export interface DataRecord {
  record: Record<string, unknown>;
  line: number;
}

/** A malformed data file (`code` ERR_DATA); `message` is `file:line: reason`, so it reads well wherever it is printed. */
export class DataFileError extends FeaturecastError {
  override name = 'DataFileError';
  constructor(
    readonly reason: string,
    readonly file: string,
    readonly line: number,
  ) {
    super('ERR_DATA', `${file}:${line}: ${reason}`, { file, line });
  }
}

/** How `readRecords` reads a file. */
export interface ReadRecordsOptions {
  /** Types for CSV columns (JSON values keep their own types): numbers, booleans, or text for dates and categories. */
  fields?: readonly FieldType[];
  /** CSV cells of columns not in `fields`: `'numbers'` (default) makes numeric-looking cells (and NaN, ±Infinity) numbers, `'text'` keeps strings. */
  untyped?: UntypedCells;
  /** The format; by default from the extension (.csv, .json, .ndjson/.jsonl), else from the first character. */
  format?: DataFormat;
  /** Called after each chunk's records are yielded; `totalBytes` is the file's size when opened (0 if not a regular file). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Aborting stops the iteration: the next step rejects with `signal.reason` and the file is closed. */
  signal?: AbortSignal;
  /** Bytes per read, 64 KiB by default; tests use tiny ones to put every boundary inside a record. */
  chunkBytes?: number;
}

/**
 * A parser fed decoded text piece by piece, adding records to `out`; `end` adds the last and checks
 * the file is complete. Records go to the caller's `out`, so those before a failure still arrive.
 */
interface RecordParser {
  push(text: string, out: DataRecord[]): void;
  end(out: DataRecord[]): void;
}

/**
 * Streams the records of the file at `path`, 64 KiB at a time; JSON arrays too, object by object,
 * each with the line its `{` is on. CSV: an empty cell leaves its field out; cells of `fields`
 * columns are typed as `featurecast predict` types them; other columns' cells become numbers when
 * they look numeric (but not codes with a leading zero, like `02134`), else stay strings. Lines
 * count LF and CRLF (and in CSV a lone CR); a UTF-8 BOM is skipped. A malformed file throws
 * `DataFileError` with the line, after yielding every record before the bad spot.
 */
export async function* readRecords(path: string, options: ReadRecordsOptions = {}): AsyncGenerator<DataRecord, void, undefined> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const info = await stat(path);
  const totalBytes = info.isFile() ? info.size : 0;
  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 64 * 1024, signal });
  const decoder = new StringDecoder('utf8');
  const parser = formatParser(path, options);
  const out: DataRecord[] = [];
  let bytesRead = 0;
  // Yields what `step` added to `out`, then rethrows what it threw: no record before an error is lost.
  async function* drain(step: () => void): AsyncGenerator<DataRecord, void, undefined> {
    let failure: unknown;
    try {
      step();
    } catch (error) {
      failure = error;
    }
    for (const record of out) {
      signal?.throwIfAborted();
      yield record;
    }
    out.length = 0;
    if (failure !== undefined) throw failure;
  }
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      yield* drain(() => parser.push(decoder.write(chunk), out));
      onProgress?.(bytesRead, totalBytes);
    }
    yield* drain(() => {
      parser.push(decoder.end(), out);
      parser.end(out);
    });
  } catch (error) {
    // The stream's own AbortError says less than the reason the caller gave.
    throw signal?.aborted ? signal.reason : error;
  } finally {
    stream.destroy();
  }
}

/** Holds the text back until its first non-space character, which names the format when nothing else does. */
function formatParser(path: string, options: ReadRecordsOptions): RecordParser {
  let parser: RecordParser | undefined;
  let head = '';
  return {
    push(text, out) {
      if (parser !== undefined) return parser.push(text, out);
      head += text;
      if (head.charCodeAt(0) === 0xfeff) head = head.slice(1);
      const first = /\S/.exec(head)?.[0];
      if (first === undefined) return;
      // `[` is a JSON array and `{` NDJSON (so a file of one pretty-printed object is neither); else CSV.
      const format = options.format ?? formatOfPath(path) ?? (first === '[' ? 'json' : first === '{' ? 'ndjson' : 'csv');
      parser = format === 'json' ? jsonArrayParser(path) : format === 'ndjson' ? ndjsonParser(path) : csvParser(path, options);
      const all = head;
      head = '';
      parser.push(all, out);
    },
    end(out) {
      if (parser === undefined) throw new DataFileError('the file is empty', path, 1);
      parser.end(out);
    },
  };
}

function csvParser(file: string, options: ReadRecordsOptions): RecordParser {
  const tokenizer = new CsvTokenizer();
  const table = new CsvRecords(options.fields ?? [], options.untyped ?? 'numbers');
  const records = (rows: () => readonly CsvRow[], out: DataRecord[]) => {
    try {
      for (const row of rows()) {
        const record = table.record(row);
        if (record !== undefined) out.push({ record, line: row.line });
      }
    } catch (error) {
      throw error instanceof CsvSyntaxError ? new DataFileError(error.message, file, error.line) : error;
    }
  };
  return { push: (text, out) => records(() => tokenizer.push(text), out), end: (out) => records(() => tokenizer.end(), out) };
}

function ndjsonParser(file: string): RecordParser {
  let partial: string[] = [];
  let line = 1;
  const parse = (text: string, out: DataRecord[]) => {
    const body = text.trim();
    if (body !== '') out.push({ record: jsonObject(body, file, line), line });
    line++;
  };
  return {
    push(text, out) {
      let from = 0;
      // Only the new text is searched for line ends, so a long line split over many chunks stays linear.
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', from)) {
        const piece = text.slice(from, end);
        parse(partial.length > 0 ? partial.join('') + piece : piece, out);
        partial = [];
        from = end + 1;
      }
      if (from < text.length) partial.push(text.slice(from));
    },
    end(out) {
      parse(partial.join(''), out);
      partial = [];
    },
  };
}

/** Parses JSON text that must be one object starting on `line`; an error's line is that of the bad spot when JSON.parse says where. */
function jsonObject(text: string, file: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DataFileError(`not valid JSON: ${(cause as Error).message}`, file, line + (jsonErrorLine(cause, text) ?? 1) - 1);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DataFileError(
      `expected a JSON object, found ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}`,
      file,
      line,
    );
  }
  return value as Record<string, unknown>;
}

/** Where a JSON array scan is: before `[`, after `[`, after a comma, inside an object, after one, after `]`. */
type JsonState = 'start' | 'first' | 'comma' | 'object' | 'after' | 'done';

/**
 * A JSON array of objects, split into its objects as the text arrives and each parsed alone, so a
 * large array streams too. The scan tracks strings and brackets only; JSON.parse judges each object.
 */
function jsonArrayParser(file: string): RecordParser {
  let state: JsonState = 'start';
  let line = 1;
  let start = 0;
  let count = 0;
  let partial: string[] = [];
  const open: number[] = [];
  let inString = false;
  let escaped = false;
  const fail = (reason: string): never => {
    throw new DataFileError(reason, file, line);
  };
  return {
    push(text, out) {
      let from = state === 'object' ? 0 : -1;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) line++;
        if (state === 'object') {
          if (inString) {
            if (escaped) escaped = false;
            else if (c === 92) escaped = true;
            else if (c === 34) inString = false;
          } else if (c === 34) inString = true;
          else if (c === 123 || c === 91) open.push(c);
          else if (c === 125 || c === 93) {
            // `}` is `{` + 2 and `]` is `[` + 2.
            const opener = open.pop()!;
            if (opener !== c - 2) fail(`found "${text[i]}" where "${String.fromCharCode(opener + 2)}" was expected`);
            if (open.length === 0) {
              partial.push(text.slice(from, i + 1));
              out.push({ record: jsonObject(partial.join(''), file, start), line: start });
              partial = [];
              count++;
              state = 'after';
            }
          }
          continue;
        }
        if (c === 32 || c === 10 || c === 13 || c === 9) continue;
        const found = JSON.stringify(text[i]);
        if (state === 'start') {
          if (c !== 91)
            fail(
              `expected a JSON array of objects, found ${c === 123 ? 'an object (one object per line is NDJSON: name the file .ndjson)' : found}`,
            );
          state = 'first';
        } else if (c === 123 && (state === 'first' || state === 'comma')) {
          state = 'object';
          open.push(c);
          start = line;
          from = i;
        } else if (c === 93 && (state === 'first' || state === 'after')) state = 'done';
        else if (c === 44 && state === 'after') state = 'comma';
        else if (state === 'after') fail(`expected "," or "]" after object ${count} of the array, found ${found}`);
        else if (state === 'done') fail(`unexpected ${found} after the end of the array`);
        else fail(`expected object ${count + 1} of the array, found ${found}: the array must hold only objects`);
      }
      if (state === 'object') partial.push(text.slice(from));
    },
    end() {
      if (state === 'object') throw new DataFileError('this object is never closed', file, start);
      if (state !== 'done') fail('the JSON array is never closed');
    },
  };
}

/** A cell for `writeCsv`: numbers print with `formatFloat32` (or `String` for float64), null and undefined as an empty cell. */
export type CsvValue = string | number | boolean | null | undefined;

/** How `writeCsv` writes. */
export interface WriteCsvOptions {
  /** Print numbers as float64 (`String(x)`, NaN as `NaN`) instead of the shortest float32 decimal. */
  float64?: boolean;
  /** Aborting stops the writing: the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Text handed to `out.write` at a time: large enough to be cheap, small enough to stay responsive. */
const WRITE_BYTES = 64 * 1024;

/**
 * Writes `header` and then `rows` to `out` as CSV (LF line ends), waiting for 'drain' whenever
 * `out.write` returns false, so a slow disk or pipe holds back the rows instead of memory filling.
 * Does not end `out`. Resolves to the number of rows written; a row of the wrong length throws.
 */
export async function writeCsv(
  out: Writable,
  header: readonly string[],
  rows: Iterable<readonly CsvValue[]> | AsyncIterable<readonly CsvValue[]>,
  options: WriteCsvOptions = {},
): Promise<number> {
  const { signal } = options;
  const number = options.float64 ? (x: number) => String(x) : formatFloat32;
  let buffer = csvLine(header);
  let count = 0;
  const flush = async () => {
    signal?.throwIfAborted();
    const text = buffer;
    buffer = '';
    if (!out.write(text)) await drained(out, signal);
  };
  for await (const row of rows) {
    if (row.length !== header.length) throw new Error(`row ${count + 1} has ${row.length} cells, but the header has ${header.length}`);
    buffer += csvLine(row.map((v) => (typeof v === 'number' ? number(v) : v === null || v === undefined ? '' : String(v))));
    count++;
    if (buffer.length >= WRITE_BYTES) await flush();
  }
  await flush();
  return count;
}

/** Resolves on 'drain'; rejects if `out` fails, closes first, or `signal` aborts (a bare once('drain') could wait forever). */
function drained(out: Writable, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (out.errored) return Promise.reject(out.errored);
  if (out.destroyed) return Promise.reject(new Error('the output closed before all rows were written'));
  return new Promise((resolve, reject) => {
    const settle = (error?: unknown) => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = () => settle();
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(new Error('the output closed before all rows were written'));
    const onAbort = () => settle(signal!.reason);
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
    signal?.addEventListener('abort', onAbort);
  });
}
