/**
 * CSV (RFC 4180) without I/O: an incremental tokenizer fed text in pieces of any size, the step
 * from a header plus rows to typed records, and the pieces for writing it. The CLI's whole-text
 * `parseInput` and the build side's streaming file reader share it, so both read a file alike.
 */

/** A field's name and type, as much of a manifest field as typing a CSV cell needs. */
export interface FieldType {
  name: string;
  type: 'number' | 'integer' | 'boolean' | 'date' | 'datetime' | 'category';
}

/** One CSV row: its cells, unquoted, and the 1-based line it starts on. */
export interface CsvRow {
  cells: string[];
  line: number;
}

/** Malformed CSV at a 1-based line; callers turn it into their own error type. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;

/**
 * Splits CSV text into rows, one piece at a time: `push` returns the rows completed so far and
 * keeps only the unfinished row, so memory is bounded by the longest row. Quoted cells may hold
 * commas, doubled quotes and line breaks; CRLF, LF and a lone CR all end a row. A `"` opens a
 * quoted cell only where the cell holds nothing but spaces so far (as before: `a"b` stays text).
 */
export class CsvTokenizer {
  private cells: string[] = [];
  private cell = '';
  private quoted = false;
  /** A `"` ended the last piece inside a quoted cell: a closing quote, or half of `""`. */
  private quoteAtEnd = false;
  /** A CR ended the last piece outside quotes: an LF starting the next piece belongs to it. */
  private crAtEnd = false;
  private line = 1;
  private start = 1;

  /** Feeds the next piece of text; returns the rows it completed. */
  push(text: string): CsvRow[] {
    const rows: CsvRow[] = [];
    const n = text.length;
    let i = 0;
    if (n === 0) return rows;
    if (this.crAtEnd) {
      this.crAtEnd = false;
      if (text.charCodeAt(0) === LF) i = 1;
    }
    while (i < n) {
      if (this.quoted) {
        if (this.quoteAtEnd) {
          this.quoteAtEnd = false;
          if (text.charCodeAt(i) === QUOTE) {
            this.cell += '"';
            i++;
          } else this.quoted = false;
          continue;
        }
        const q = text.indexOf('"', i);
        const end = q < 0 ? n : q;
        this.line += countLf(text, i, end);
        this.cell += text.slice(i, end);
        if (q < 0) return rows;
        if (q + 1 === n) {
          this.quoteAtEnd = true;
          return rows;
        }
        if (text.charCodeAt(q + 1) === QUOTE) {
          this.cell += '"';
          i = q + 2;
        } else {
          this.quoted = false;
          i = q + 1;
        }
        continue;
      }
      let j = i;
      let c = 0;
      // Plain cell text runs until a delimiter; copy it in one slice rather than char by char.
      while (j < n) {
        c = text.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR || c === QUOTE) break;
        j++;
      }
      if (j > i) this.cell += text.slice(i, j);
      if (j === n) return rows;
      i = j + 1;
      if (c === QUOTE) {
        if (this.cell.trim() === '') {
          this.quoted = true;
          this.cell = '';
        } else this.cell += '"';
      } else if (c === COMMA) {
        this.cells.push(this.cell);
        this.cell = '';
      } else {
        if (c === CR) {
          if (i === n) this.crAtEnd = true;
          else if (text.charCodeAt(i) === LF) i++;
        }
        rows.push(this.endRow());
        this.line++;
        this.start = this.line;
      }
    }
    return rows;
  }

  /** Ends the text: returns the last row if it had no line break, or throws on an open quote. */
  end(): CsvRow[] {
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      this.quoted = false;
    }
    if (this.quoted) throw new CsvSyntaxError('a quoted CSV cell is never closed', this.start);
    return this.cell !== '' || this.cells.length > 0 ? [this.endRow()] : [];
  }

  private endRow(): CsvRow {
    this.cells.push(this.cell);
    const row = { cells: this.cells, line: this.start };
    this.cells = [];
    this.cell = '';
    return row;
  }
}

function countLf(text: string, from: number, to: number): number {
  // A loop over the range, not indexOf: that would scan past `to` for every quoted cell of a long line.
  let count = 0;
  for (let k = from; k < to; k++) if (text.charCodeAt(k) === LF) count++;
  return count;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** A leading zero before another digit marks a code (ZIP, ID), not a number: `0123` stays text. */
const CODE = /^[+-]?0\d/;
/** How `formatFloat32` writes what no decimal can: read back so that written features round-trip. */
const NOT_FINITE = /^(NaN|[+-]?Infinity)$/;

/** How cells of columns missing from `fields` are typed: kept as text, or numbers where they look numeric (or are NaN, ±Infinity). */
export type UntypedCells = 'text' | 'numbers';

/**
 * Turns CSV rows into records: the first row that is not blank is the header, and every later
 * row is typed cell by cell by its column's field. Blank lines are skipped wherever they are.
 */
export class CsvRecords {
  private names: string[] | undefined;
  private types: Array<FieldType['type'] | undefined> = [];

  /** `untyped` says what cells of columns not in `fields` become. */
  constructor(
    private readonly fields: readonly FieldType[],
    private readonly untyped: UntypedCells = 'text',
  ) {}

  /** Whether a header row has been read. */
  get hasHeader(): boolean {
    return this.names !== undefined;
  }

  /**
   * The record of `row`, or undefined for the header and blank lines. Throws when a row's cell
   * count differs from the header's, or a header names a column twice (one would hide the other).
   */
  record(row: CsvRow): Record<string, unknown> | undefined {
    const { cells } = row;
    if (cells.length === 1 && cells[0]!.trim() === '') return undefined;
    const names = this.names;
    if (names === undefined) {
      this.header(row);
      return undefined;
    }
    if (cells.length !== names.length) {
      throw new CsvSyntaxError(`expected ${names.length} cells (as in the header), found ${cells.length}`, row.line);
    }
    const record: Record<string, unknown> = {};
    for (let i = 0; i < cells.length; i++) {
      const value = typedCell(cells[i]!, this.types[i], this.untyped);
      // An empty cell is an absent field: the schema then says whether that is allowed.
      if (value === undefined) continue;
      const name = names[i]!;
      // A column named __proto__ must become a field, as JSON.parse makes it, not the record's prototype.
      if (name === '__proto__') Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
      else record[name] = value;
    }
    return record;
  }

  private header(row: CsvRow): void {
    const names = row.cells.map((c) => c.trim());
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) throw new CsvSyntaxError(`the header names the column "${twice}" twice`, row.line);
    this.names = names;
    this.types = names.map((n) => this.fields.find((f) => f.name === n)?.type);
  }
}

/** Numbers for numeric fields and booleans for boolean ones; anything else stays text, so validation can name it. */
export function typedCell(cell: string, type: FieldType['type'] | undefined, untyped: UntypedCells = 'text'): unknown {
  const text = cell.trim();
  if (text === '') return undefined;
  if ((type === 'number' || type === 'integer') && NUMBER.test(text)) return Number(text);
  // What numpy and featurecast's own features files write for a missing value: the schema then decides (missing: "model").
  if (type === 'number' && /^nan$/i.test(text)) return NaN;
  if (type === 'boolean') {
    const lower = text.toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
  }
  if (type === undefined && untyped === 'numbers' && ((NUMBER.test(text) && !CODE.test(text)) || NOT_FINITE.test(text)))
    return Number(text);
  return cell;
}

/** One CSV line (with its `\n`): cells quoted only when they hold a comma, quote, line break or edge space. */
export function csvLine(cells: readonly string[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (i > 0) line += ',';
    // Edge spaces are quoted too: readers (this one included) trim unquoted cells.
    line += /[",\r\n]|^\s|\s$/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
  }
  return `${line}\n`;
}

/**
 * The shortest decimal that reads back as the same float32 as `x` (`Math.fround(Number(s))`),
 * at most 9 significant digits. NaN prints as `NaN` and infinities as `Infinity`/`-Infinity`:
 * JavaScript's Number, pandas' `read_csv` and numpy's `float32()` all read those back (an empty
 * cell would be NaN to pandas but 0 to Number and missing to `readRecords`). `-0` keeps its sign.
 */
export function formatFloat32(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) return String(f);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // Integers below 2^24 are exact in float32 and print exactly: the common case, kept cheap.
  if (Number.isInteger(f) && f < 16_777_216 && f > -16_777_216) return String(f);
  const a = Math.abs(f);
  const sign = f < 0 ? '-' : '';
  let e10 = Math.floor(Math.log10(a));
  if (10 ** e10 > a) e10--;
  else if (10 ** (e10 + 1) <= a) e10++;
  // Beyond 1e±22 powers of ten are inexact doubles, so the check below would round twice.
  if (e10 < -13 || e10 > 21) return sign + slowFloat32(a);
  // If some d-digit decimal rounds to `a`, so does some (d+1)-digit one (the same, with a 0):
  // search d by halves. 9 digits always suffice.
  let low = 1;
  let high = 9;
  let best = '';
  while (low < high) {
    const digits = (low + high) >> 1;
    const text = roundTrip(a, digits, e10);
    if (text === undefined) low = digits + 1;
    else {
      best = text;
      high = digits;
    }
  }
  return sign + (best || roundTrip(a, 9, e10) || slowFloat32(a));
}

/** `a` to `digits` significant digits, if that decimal rounds back to `a`; `e10` is `a`'s decimal exponent. */
function roundTrip(a: number, digits: number, e10: number): string | undefined {
  const scale = digits - 1 - e10;
  const power = POW10[scale < 0 ? -scale : scale]!;
  const scaled = scale >= 0 ? a * power : a / power;
  const m = Math.round(scaled);
  // An integer over (or times) an exact power of ten rounds once, exactly as Number(text) does.
  if (Math.fround(scale >= 0 ? m / power : m * power) === a) return decimal(m, -scale);
  // When the nearest is below `a` and misses, the next one up may still hit: beside a power of two
  // the gap to the float above is twice the gap below. And `scaled` was itself rounded.
  const next = scaled > m ? m + 1 : m - 1;
  if (Math.fround(scale >= 0 ? next / power : next * power) === a) return decimal(next, -scale);
  return undefined;
}

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/** The same search through `toPrecision`, for magnitudes beyond 1e±22 (much slower, and rare in features). */
function slowFloat32(a: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const nearest = Number(a.toPrecision(digits));
    if (Math.fround(nearest) === a) return String(nearest);
    const up = Number((nearest + 10 ** (Math.floor(Math.log10(a)) - digits + 1)).toPrecision(digits));
    if (Math.fround(up) === a) return String(up);
  }
  return String(Number(a.toPrecision(9)));
}

/** `m`·10^`exponent` written as JavaScript's `String(number)` would write it. */
function decimal(m: number, exponent: number): string {
  const digits = String(m);
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  const d = digits.slice(0, end);
  const point = digits.length + exponent;
  if (point > 0 && point <= 21) return point >= d.length ? d + '0'.repeat(point - d.length) : `${d.slice(0, point)}.${d.slice(point)}`;
  if (point <= 0 && point > -6) return `0.${'0'.repeat(-point)}${d}`;
  return `${d[0]}${d.length > 1 ? `.${d.slice(1)}` : ''}e${point - 1 >= 0 ? '+' : '-'}${Math.abs(point - 1)}`;
}
