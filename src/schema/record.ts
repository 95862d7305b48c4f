import type { IssueKind, ValidationIssue } from '../errors.js';
import { epochDay, epochDayOfIso, fromEpochDay, parseIsoDate, type CivilDate } from '../features/calendar.js';
import { epochMinuteOf, fromEpochMinute, parseDateTime, zoneConverter, type CivilDateTime } from '../features/datetime.js';
import type { InputField } from './manifest.js';
import { unsendableType } from './sendable.js';

/**
 * Validation of raw records against the manifest's input schema. This runs per record on the
 * hot path, so it is compiled once into plain closures instead of running zod per record.
 */

/** Something that was accepted but changed or is outside what the model saw in training. */
export interface Warning {
  /** Position of the record in its batch. */
  index: number;
  field: string;
  kind: 'clipped' | 'extrapolated' | 'unknown-category';
  received: unknown;
}

/**
 * A validated field value: number for numbers and booleans (0/1), CivilDate for dates (and
 * CivilDateTime for date-times), the canonical string for categories, undefined when an optional
 * field is absent, NaN when a `missing: "model"` field is absent.
 */
export type FieldValue = number | string | CivilDate | CivilDateTime | undefined;

export interface RecordReader {
  readonly fields: readonly InputField[];
  /**
   * Validates `record` into `out` (one slot per field). Pushes every problem into `issues` and
   * every accepted oddity into `warnings`; returns false when the record was rejected.
   */
  read(record: unknown, index: number, out: FieldValue[], issues: ValidationIssue[], warnings: Warning[]): boolean;
}

type FieldReader = (value: unknown, index: number, issues: ValidationIssue[], warnings: Warning[]) => FieldValue | typeof INVALID;
const INVALID = Symbol('invalid');

function issue(
  issues: ValidationIssue[],
  index: number,
  path: string,
  kind: IssueKind,
  message: string,
  received: unknown,
): typeof INVALID {
  issues.push({ index, path, kind, message, received: printableValue(received) });
  return INVALID;
}

/** A value as a ValidationIssue shows it: cloneable and short (functions, symbols and long strings are described). */
export function printableValue(value: unknown): unknown {
  const unsendable = unsendableType(value);
  if (unsendable) return unsendable;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > 100 ? `${value.slice(0, 100)}…` : value;
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `array(${value.length})`;
  return typeof value === 'object' ? 'object' : typeof value;
}

/** Applies the field's out-of-range policy to `key` (the value, or a date's epoch day); `received` is what the caller sent. */
function applyRange<T>(
  field: Extract<InputField, { outOfRange: unknown }>,
  key: number,
  received: unknown,
  keep: T,
  clampTo: (k: number) => T,
  bounds: readonly [number, number],
  index: number,
  issues: ValidationIssue[],
  warnings: Warning[],
): T | typeof INVALID {
  const [min, max] = bounds;
  if (key >= min && key <= max) return keep;
  switch (field.outOfRange) {
    case 'reject':
      return issue(
        issues,
        index,
        field.name,
        'out-of-range',
        `${String(received)} is outside the training range ${field.range.min}..${field.range.max}`,
        received,
      );
    case 'clip':
      warnings.push({ index, field: field.name, kind: 'clipped', received: printableValue(received) });
      return clampTo(key < min ? min : max);
    case 'extrapolate':
      warnings.push({ index, field: field.name, kind: 'extrapolated', received: printableValue(received) });
      return keep;
  }
}

function numberReader(field: Extract<InputField, { type: 'number' | 'integer' }>): FieldReader {
  const bounds = [field.range.min, field.range.max] as const;
  const [min, max] = bounds;
  const integer = field.type === 'integer';
  const vmin = field.valid?.min ?? -Infinity;
  const vmax = field.valid?.max ?? Infinity;
  // The fast path takes values both plausible and inside the training range.
  const lo = Math.max(min, vmin);
  const hi = Math.min(max, vmax);
  return (value, index, issues, warnings) => {
    // The common case first and alone: an in-range number (NaN fails both comparisons).
    if (typeof value === 'number' && value >= lo && value <= hi && (!integer || Number.isInteger(value))) return value;
    if (typeof value !== 'number') return issue(issues, index, field.name, 'type', `expected a number, got ${describe(value)}`, value);
    if (!Number.isFinite(value)) return issue(issues, index, field.name, 'type', `expected a finite number, got ${value}`, value);
    if (integer && !Number.isInteger(value)) return issue(issues, index, field.name, 'type', 'expected an integer', value);
    if (value < vmin || value > vmax)
      return issue(issues, index, field.name, 'implausible', implausible(value, vmin, vmax, field.unit), value);
    return applyRange(field, value, value, value, (k) => k, bounds, index, issues, warnings);
  };
}

/** "205 °C is outside −60…60 °C — Fahrenheit or Kelvin?": the unit, and the likely mistake when a conversion explains the value. */
function implausible(value: number | string, min: number | string, max: number | string, unit?: string): string {
  const u = unit ? ` ${unit}` : '';
  let hint = '';
  if (typeof value === 'number' && typeof min === 'number' && typeof max === 'number' && (unit === '°C' || unit === 'C')) {
    const within = (c: number) => c >= min && c <= max;
    const fahrenheit = within(((value - 32) * 5) / 9);
    const kelvin = within(value - 273.15);
    // Too hot to be Celsius is almost always a unit mistake; name the one conversion that fits when only one does.
    hint =
      fahrenheit !== kelvin ? (fahrenheit ? ' — Fahrenheit?' : ' — Kelvin?') : fahrenheit || value > max ? ' — Fahrenheit or Kelvin?' : '';
  }
  return `${value}${u} is outside the possible ${min}…${max}${u}${hint}`;
}

/** Distinct date strings remembered per date field: batches repeat few dates many times. */
const DATE_MEMO_SIZE = 4096;

function dateReader(field: Extract<InputField, { type: 'date' }>): FieldReader {
  const bounds = [epochDayOfIso(field.range.min), epochDayOfIso(field.range.max)] as const;
  const valid: readonly [number, number] = field.valid
    ? [epochDayOfIso(field.valid.min), epochDayOfIso(field.valid.max)]
    : [-Infinity, Infinity];
  // CivilDate is immutable, so records with the same date string can share one parse.
  const memo = new Map<string, { date: CivilDate | null; day: number }>();
  return (value, index, issues, warnings) => {
    if (typeof value !== 'string')
      return issue(issues, index, field.name, 'type', `expected a date string YYYY-MM-DD, got ${describe(value)}`, value);
    let parsed = memo.get(value);
    if (!parsed) {
      const date = parseIsoDate(value);
      parsed = { date, day: date ? epochDay(date) : NaN };
      // Only date-length strings are kept: a huge bad string must not stay referenced.
      if (value.length === 10) {
        if (memo.size >= DATE_MEMO_SIZE) memo.clear();
        memo.set(value, parsed);
      }
    }
    if (!parsed.date)
      return issue(issues, index, field.name, 'format', `"${printableValue(value)}" is not a valid calendar date YYYY-MM-DD`, value);
    if (parsed.day < valid[0] || parsed.day > valid[1])
      return issue(issues, index, field.name, 'implausible', implausible(value, field.valid!.min, field.valid!.max), value);
    return applyRange<CivilDate>(field, parsed.day, value, parsed.date, fromEpochDay, bounds, index, issues, warnings);
  };
}

function dateTimeReader(field: Extract<InputField, { type: 'datetime' }>): FieldReader {
  const toZone = zoneConverter(field.timeZone);
  const key = (text: string) => epochMinuteOf(parseDateTime(text, toZone)!);
  const bounds = [key(field.range.min), key(field.range.max)] as const;
  const valid = field.valid ? [key(field.valid.min), key(field.valid.max)] : [-Infinity, Infinity];
  const memo = new Map<string, CivilDateTime | null>();
  return (value, index, issues, warnings) => {
    if (typeof value !== 'string')
      return issue(issues, index, field.name, 'type', `expected a date-time string YYYY-MM-DDTHH:mm, got ${describe(value)}`, value);
    let parsed = memo.get(value);
    if (parsed === undefined) {
      parsed = parseDateTime(value, toZone);
      if (value.length <= 40) {
        if (memo.size >= DATE_MEMO_SIZE) memo.clear();
        memo.set(value, parsed);
      }
    }
    if (!parsed)
      return issue(
        issues,
        index,
        field.name,
        'format',
        `"${printableValue(value)}" is not a valid date-time YYYY-MM-DDTHH:mm (optionally with Z or an offset)`,
        value,
      );
    const minute = epochMinuteOf(parsed);
    if (minute < valid[0]! || minute > valid[1]!)
      return issue(issues, index, field.name, 'implausible', implausible(value, field.valid!.min, field.valid!.max), value);
    return applyRange<CivilDateTime>(
      field,
      minute,
      value,
      parsed,
      (k) => fromEpochMinute(k, fromEpochDay),
      bounds,
      index,
      issues,
      warnings,
    );
  };
}

function categoryReader(field: Extract<InputField, { type: 'category' }>): FieldReader {
  const known = new Map<string, string>();
  for (const v of field.values) known.set(v, v);
  for (const [alias, v] of Object.entries(field.aliases ?? {})) known.set(alias, v);
  const allowed = field.values.map((v) => `"${v}"`).join(', ');
  return (value, index, issues, warnings) => {
    if (typeof value !== 'string' && typeof value !== 'number') {
      return issue(issues, index, field.name, 'type', `expected one of ${allowed}, got ${describe(value)}`, value);
    }
    const canonical = known.get(typeof value === 'number' ? String(value) : value);
    if (canonical !== undefined) return canonical;
    if (field.unknown === 'default' && field.default !== undefined) {
      warnings.push({ index, field: field.name, kind: 'unknown-category', received: printableValue(value) });
      return field.default;
    }
    // JSON.stringify would print NaN and ±Infinity as "null".
    const shown = typeof value === 'number' ? String(value) : JSON.stringify(printableValue(value));
    return issue(issues, index, field.name, 'unknown-category', `unknown value ${shown}; expected one of ${allowed}`, value);
  };
}

function booleanReader(field: Extract<InputField, { type: 'boolean' }>): FieldReader {
  return (value, index, issues) => {
    if (value === true || value === 1) return 1;
    if (value === false || value === 0) return 0;
    return issue(issues, index, field.name, 'type', `expected true or false, got ${describe(value)}`, value);
  };
}

function describe(value: unknown): string {
  const unsendable = unsendableType(value);
  if (unsendable) return unsendable;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(printableValue(value))}`;
  if (typeof value === 'number') return String(value);
  return typeof value;
}

function readerFor(field: InputField): FieldReader {
  switch (field.type) {
    case 'number':
    case 'integer':
      return numberReader(field);
    case 'date':
      return dateReader(field);
    case 'datetime':
      return dateTimeReader(field);
    case 'category':
      return categoryReader(field);
    case 'boolean':
      return booleanReader(field);
  }
}

function defaultOf(field: InputField): FieldValue {
  if (field.default === undefined) return undefined;
  switch (field.type) {
    case 'date':
      return parseIsoDate(field.default) ?? undefined;
    case 'datetime':
      return parseDateTime(field.default, zoneConverter(field.timeZone)) ?? undefined;
    case 'boolean':
      return field.default ? 1 : 0;
    default:
      return field.default;
  }
}

export interface ReaderOptions {
  /** Reject records that carry fields the schema does not know. Default false: extra fields are ignored. */
  strict?: boolean;
}

export function compileReader(fields: readonly InputField[], options: ReaderOptions = {}): RecordReader {
  const names = fields.map((f) => f.name);
  const known = new Set(names);
  const readers = fields.map(readerFor);
  const defaults = fields.map(defaultOf);
  const required = fields.map((f) => f.required);
  // Fields whose absence is a value of its own: NaN for the model, or the default (null counts as absent for both).
  const absentAs = fields.map((f, k) => (f.missing === 'model' ? NaN : f.missing === 'default' ? defaults[k] : INVALID));
  const missingAsNaN = fields.map((f) => f.missing === 'model');
  const { hasOwn } = Object;

  return {
    fields,
    read(record, index, out, issues, warnings) {
      if (typeof record !== 'object' || record === null || Array.isArray(record) || unsendableType(record)) {
        issue(issues, index, '', 'record', `expected a record object, got ${describe(record)}`, record);
        return false;
      }
      const before = issues.length;
      const rec = record as Record<string, unknown>;
      for (let k = 0; k < readers.length; k++) {
        // hasOwn: a polluted Object.prototype must never supply a field value.
        const value = hasOwn(rec, names[k]!) ? rec[names[k]!] : undefined;
        // NaN is how a data file or an app spells a missing number; only `missing: "model"` accepts it.
        if ((value === undefined || value === null || (Number.isNaN(value) && missingAsNaN[k])) && absentAs[k] !== INVALID) {
          out[k] = absentAs[k] as FieldValue;
          continue;
        }
        if (value === undefined) {
          if (required[k]) issue(issues, index, names[k]!, 'missing', 'required field is missing', value);
          out[k] = defaults[k];
          continue;
        }
        const result = readers[k]!(value, index, issues, warnings);
        out[k] = result === INVALID ? undefined : result;
      }
      if (options.strict) {
        for (const key of Object.keys(rec)) {
          if (!known.has(key)) issue(issues, index, key, 'unknown-field', 'unknown field (strict mode)', rec[key]);
        }
      }
      return issues.length === before;
    },
  };
}
