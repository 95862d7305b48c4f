import {
  HttpError,
  ValidationError,
  type BundleInfo,
  type CallOptions,
  type HandlerRoute,
  type Prediction,
  type Predictor,
  type ValidationIssue,
  type Warning,
} from 'featurecast';
import { UCI_COLUMN_OF, UCI_SCALE, uciRowToRecord, type BikeRecord, type UciWarning } from './uci.js';

/**
 * `POST /api/makecalc/`, the old Flask service's request shape: `{ "<row index>": day.csv row }`
 * → `{ "<row index>": prediction }`. Every issue and warning names the row by its key (as
 * `index`) and the column the caller sent (as `path`/`field`), never the converted record's.
 */

/** The seed route only makes sense for a bundle that takes the bike record. */
export function acceptsBikeRecords(info: BundleInfo): boolean {
  const names = new Set(info.inputs.map((f) => f.name));
  return (['date', 'temperature', 'feelsLike', 'humidity', 'windSpeed', 'weather'] as const).every((n) => names.has(n));
}

/** A makecalc prediction: the library's, with UCI-named warnings and calendar contradictions. */
export interface SeedPrediction {
  [output: string]: number | string | Array<Warning | UciWarning> | Record<string, number> | undefined;
  warnings?: Array<Warning | UciWarning>;
}

const ROW_KEY = /^(0|[1-9][0-9]{0,14})$/;

/** `POST /api/makecalc/` for `createFetchHandler(predictor, { routes: { '/api/makecalc': makecalcRoute } })`. */
export const makecalcRoute: HandlerRoute = {
  methods: ['POST'],
  run: async (_request, context) => makecalc(context.predictor, await context.json(), context.maxBatchSize, { signal: context.signal }),
};

/** Runs one makecalc request body; throws ValidationError (400) or HttpError (413); `call` goes to predictBatch (its signal). */
async function makecalc(predictor: Predictor, body: unknown, maxBatch: number, call: CallOptions): Promise<Record<string, SeedPrediction>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError([
      {
        index: -1,
        path: '',
        kind: 'record',
        message: 'expected an object keyed by row index, e.g. {"0": {"dteday": "2012-06-01", …}}',
        received: Array.isArray(body) ? 'array' : body === null ? null : typeof body,
      },
    ]);
  }
  const rows = body as Record<string, unknown>;
  const keys = Object.keys(rows);
  if (keys.length > maxBatch) {
    throw new HttpError(413, 'ERR_BATCH_TOO_LARGE', `At most ${maxBatch} rows per request, got ${keys.length}`, {}, { limit: maxBatch });
  }
  const issues: ValidationIssue[] = [];
  const records: BikeRecord[] = [];
  const notes: UciWarning[][] = [];
  for (const key of keys) {
    if (!ROW_KEY.test(key)) {
      // A key may be as long as the body: the answer names it, shortened, rather than echoing it whole.
      issues.push({
        index: -1,
        path: short(key),
        kind: 'record',
        message: 'row keys must be row indices (non-negative integers)',
        received: short(key),
      });
      continue;
    }
    const converted = uciRowToRecord(rows[key], Number(key));
    issues.push(...converted.issues);
    if (converted.record) {
      records.push(converted.record);
      notes.push(converted.warnings);
    }
  }
  if (issues.length) throw new ValidationError(issues);

  let predictions: Prediction[];
  try {
    predictions = await predictor.predictBatch(records, call);
  } catch (error) {
    // Batch positions and record field names mean nothing to a seed client: translate both.
    if (isValidationError(error)) throw new ValidationError(error.issues.map((i) => seedIssue(i, keys, rows)));
    throw error;
  }
  const out: Record<string, SeedPrediction> = {};
  predictions.forEach((prediction, i) => {
    const key = keys[i]!;
    const row = rows[key] as Record<string, unknown>;
    const warnings: Array<Warning | UciWarning> = (prediction.warnings ?? []).map((w) => {
      const field = column(w.field);
      return { ...w, index: Number(key), field, received: Object.hasOwn(row, field) ? row[field] : w.received };
    });
    warnings.push(...notes[i]!);
    const { warnings: _, ...values } = prediction;
    out[key] = warnings.length ? { ...values, warnings } : values;
  });
  return out;
}

/** By name and shape, not instanceof: the predictor may come from another copy of featurecast than this module. */
function isValidationError(error: unknown): error is ValidationError {
  return error instanceof Error && error.name === 'ValidationError' && Array.isArray((error as Partial<ValidationError>).issues);
}

/**
 * A library issue in the seed's terms: the row key, the column and the value the caller sent.
 * A bound broken after undoing the normalisation says so ("temp 5 × 41 = 205 °C is outside …").
 */
function seedIssue(issue: ValidationIssue, keys: readonly string[], rows: Record<string, unknown>): ValidationIssue {
  const index = rowOf(keys, issue.index);
  const path = column(issue.path);
  const row = rows[keys[issue.index] ?? ''];
  const sent =
    typeof row === 'object' && row !== null && Object.hasOwn(row, path) ? (row as Record<string, unknown>)[path] : issue.received;
  const scale = (UCI_SCALE as Record<string, number>)[path];
  const bounds = issue.kind === 'implausible' || issue.kind === 'out-of-range';
  const message = scale !== undefined && bounds ? `${path} ${String(sent)} × ${scale} = ${issue.message}` : issue.message;
  return { ...issue, index, path, message, received: sent };
}

function short(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

function rowOf(keys: readonly string[], index: number): number {
  return index >= 0 && index < keys.length ? Number(keys[index]) : index;
}

function column(field: string): string {
  return (UCI_COLUMN_OF as Record<string, string>)[field] ?? field;
}
