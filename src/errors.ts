/**
 * Every error featurecast throws is a `FeaturecastError` with a stable `code`, so apps can
 * branch on `err.code` instead of parsing messages. The classes survive the worker boundary
 * (see engine/transport/protocol.ts), which is why they carry only plain, cloneable `details`.
 */

/** Stable error codes. Never renamed; new ones may be added. */
export type ErrorCode =
  | 'ERR_VALIDATION'
  | 'ERR_BUNDLE_FETCH'
  | 'ERR_BUNDLE_INTEGRITY'
  | 'ERR_BUNDLE_INVALID'
  | 'ERR_BUNDLE_VERSION'
  | 'ERR_BUNDLE_MISMATCH'
  | 'ERR_ENGINE'
  | 'ERR_WORKER_CRASHED'
  | 'ERR_TIMEOUT'
  | 'ERR_ABORTED'
  | 'ERR_DISPOSED'
  | 'ERR_SPEC'
  | 'ERR_DATA'
  | 'ERR_UNSUPPORTED';

/** What kind of problem a ValidationIssue is, for code that reacts to it. */
export type IssueKind = 'record' | 'missing' | 'type' | 'format' | 'implausible' | 'out-of-range' | 'unknown-category' | 'unknown-field';

/** One problem with one input record. `index` is the record's position in the batch (0 for `predict`, -1 for the batch itself). */
export interface ValidationIssue {
  index: number;
  /** The input field at fault, `''` when the record itself is not an object. */
  path: string;
  kind: IssueKind;
  message: string;
  received: unknown;
}

/** Base class of all featurecast errors. */
export class FeaturecastError extends Error {
  // A literal, not new.target.name: minifiers rename classes, and reviveError matches on it.
  override name = 'FeaturecastError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** Records failed validation. `issues` lists every bad field of every bad record. */
export class ValidationError extends FeaturecastError {
  override name = 'ValidationError';
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
    const where = first ? `record ${first.index}${first.path ? `, field "${first.path}"` : ''}: ${first.message}` : 'invalid input';
    super('ERR_VALIDATION', `Invalid input: ${where}${more}`, { issues });
    this.issues = issues;
  }
}

/** The bundle could not be loaded: fetch failed, hash mismatch, invalid manifest, unsupported version, or model/manifest disagreement. */
export class BundleError extends FeaturecastError {
  override name = 'BundleError';
  constructor(
    code: Extract<ErrorCode, `ERR_BUNDLE_${string}`>,
    message: string,
    details: { url?: string; status?: number; [key: string]: unknown } = {},
  ) {
    super(code, message, details);
  }
}

/** onnxruntime failed to create a session or to run the model. */
export class EngineError extends FeaturecastError {
  override name = 'EngineError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ERR_ENGINE', message, details);
  }
}

/** The Web Worker died; pending calls reject with this and the next call starts a new worker. */
export class WorkerCrashedError extends FeaturecastError {
  override name = 'WorkerCrashedError';
  constructor(message = 'The prediction worker crashed', details: Record<string, unknown> = {}) {
    super('ERR_WORKER_CRASHED', message, details);
  }
}

/** A call took longer than its `timeoutMs`. */
export class TimeoutError extends FeaturecastError {
  override name = 'TimeoutError';
  constructor(ms: number) {
    super('ERR_TIMEOUT', `Prediction timed out after ${ms} ms`, { timeoutMs: ms });
  }
}

/** A call's `AbortSignal` fired. */
export class AbortedError extends FeaturecastError {
  override name = 'AbortedError';
  constructor(reason?: unknown) {
    super('ERR_ABORTED', 'Prediction was aborted', reason === undefined ? {} : { reason: String(reason) });
  }
}

/** The predictor was disposed before or during the call. */
export class DisposedError extends FeaturecastError {
  override name = 'DisposedError';
  constructor() {
    super('ERR_DISPOSED', 'The predictor has been disposed');
  }
}

/** The call does not apply to this bundle, e.g. `calibrate` on a classifier. */
export class UnsupportedError extends FeaturecastError {
  override name = 'UnsupportedError';
  constructor(message: string) {
    super('ERR_UNSUPPORTED', message);
  }
}

/** A pipeline spec (or a model handed to the build side) cannot be fitted or bundled as written. */
export class SpecError extends FeaturecastError {
  override name = 'SpecError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ERR_SPEC', message, details);
  }
}

/** Training or check data has bad rows; `issues` name each row (`index`, and `details.lines` the file line) and field. */
export class DataError extends FeaturecastError {
  override name = 'DataError';
  readonly issues: ValidationIssue[];
  constructor(message: string, issues: ValidationIssue[], details: Record<string, unknown> = {}) {
    super('ERR_DATA', message, { ...details, issues });
    this.issues = issues;
  }
}

/** Plain-data form of an error, safe for postMessage and JSON. */
export interface SerializedError {
  name: string;
  code: ErrorCode | undefined;
  message: string;
  details: Record<string, unknown>;
  stack?: string | undefined;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof FeaturecastError) {
    return { name: error.name, code: error.code, message: error.message, details: error.details, stack: error.stack };
  }
  if (error instanceof Error) return { name: error.name, code: undefined, message: error.message, details: {}, stack: error.stack };
  return { name: 'Error', code: undefined, message: String(error), details: {} };
}

/** Rebuilds the original class from its serialized form, so `instanceof` and `code` work on the main thread. */
export function reviveError(s: SerializedError): Error {
  let error: Error;
  switch (s.name) {
    case 'ValidationError':
      error = new ValidationError((s.details.issues as ValidationIssue[]) ?? []);
      break;
    case 'BundleError':
      error = new BundleError(s.code as Extract<ErrorCode, `ERR_BUNDLE_${string}`>, s.message, s.details);
      break;
    case 'EngineError':
      error = new EngineError(s.message, s.details);
      break;
    case 'WorkerCrashedError':
      error = new WorkerCrashedError(s.message, s.details);
      break;
    case 'TimeoutError':
      error = new TimeoutError(Number(s.details.timeoutMs));
      break;
    case 'AbortedError':
      error = new AbortedError(s.details.reason);
      break;
    case 'DisposedError':
      error = new DisposedError();
      break;
    case 'UnsupportedError':
      error = new UnsupportedError(s.message);
      break;
    default:
      error = new Error(s.message);
      error.name = s.name;
  }
  if (s.stack) error.stack = s.stack;
  return error;
}
