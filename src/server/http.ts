import { FeaturecastError, ValidationError, type ValidationIssue } from '../errors.js';
import { repeatedKey } from './json-keys.js';
import { concatBytes } from '../engine/loading/bytes.js';

/**
 * HTTP plumbing shared by the Fetch handler and the Node adapter: the request/response shape
 * the routes work on, error codes that only exist over HTTP, the JSON error body, and a body
 * reader that stops at a byte limit. Runtime-neutral: Fetch API globals only, no `node:` imports.
 */

/** Stable codes of errors that only HTTP has. Never renamed; new ones may be added. */
export type HttpErrorCode =
  | 'ERR_NOT_FOUND'
  | 'ERR_METHOD'
  | 'ERR_TOO_LARGE'
  | 'ERR_BATCH_TOO_LARGE'
  | 'ERR_MEDIA_TYPE'
  | 'ERR_BAD_JSON'
  | 'ERR_BAD_REQUEST'
  | 'ERR_BODY_TIMEOUT'
  | 'ERR_OVERLOADED'
  | 'ERR_INTERNAL';

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: ValidationIssue[]; [detail: string]: unknown };
}

/**
 * What the routes see of a request. Both a Fetch `Request` and a node:http request map onto it,
 * so the Node adapter can skip building Fetch objects while running the very same routes.
 */
export interface PlainRequest {
  method: string;
  /** Path without query, one trailing slash dropped. */
  path: string;
  /** The query string without `?`, or `''`. */
  query: string;
  /** Header value by lowercase name, or null. */
  header(name: string): string | null;
  /** The body, refused with a 413 HttpError past the limit. */
  body(): Promise<Uint8Array>;
  /** Aborts when the client goes away before its answer is sent. */
  signal: AbortSignal;
}

/** What the routes answer; `body` is null for no body. */
export interface PlainResponse {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/** An error that already knows its HTTP status; thrown inside the handler, turned into a response at its edge. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** 413 with the limit, so a client can split its request. */
export function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'ERR_TOO_LARGE', `Request body exceeds ${limit} bytes`, {}, { limit });
}

/** 503 for a server at its limit; `Retry-After` tells a client when to come back. */
export function overloaded(retryAfterSeconds: number, message: string): HttpError {
  return new HttpError(503, 'ERR_OVERLOADED', message, { 'retry-after': String(retryAfterSeconds) });
}

/** A JSON response; `body` is serialised here so routes never build strings by hand. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): PlainResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/**
 * Any thrown value → an error response. Library errors keep their code and issues; anything
 * unexpected becomes a bare 500 whose message never includes a stack or internals.
 */
export function errorResponse(error: unknown): PlainResponse {
  // By name and shape, not instanceof: a route from a model package may throw another copy's classes.
  type Shape = Error & {
    status?: unknown;
    code?: string;
    details?: Record<string, unknown>;
    headers?: Record<string, string>;
    issues?: ValidationIssue[];
  };
  const e = error instanceof Error ? (error as Shape) : undefined;
  if (e?.name === 'HttpError' && typeof e.status === 'number') {
    return json(e.status, { error: { code: e.code, message: e.message, ...e.details } }, e.headers ?? {});
  }
  if (e?.name === 'ValidationError' && Array.isArray(e.issues)) {
    return json(400, { error: { code: 'ERR_VALIDATION', message: e.message, issues: e.issues } });
  }
  if (e && (error instanceof FeaturecastError || /^ERR_[A-Z_]+$/.test(String(e.code)))) {
    // Timeouts and a disposed predictor are the server's state, not the request's fault.
    const status = e.code === 'ERR_TIMEOUT' || e.code === 'ERR_DISPOSED' || e.code === 'ERR_WORKER_CRASHED' ? 503 : 500;
    return json(status, { error: { code: e.code, message: e.message } });
  }
  return json(500, { error: { code: 'ERR_INTERNAL', message: 'Internal server error' } });
}

/** The route part of a request target, absolute (`http://h/p?q`) or origin-form (`/p?q`). */
export function routePath(target: string): string {
  // Cheaper than `new URL` on the hot path, and the routes need nothing else.
  const start = target.startsWith('/') ? 0 : target.indexOf('/', target.indexOf('//') + 2);
  if (start < 0) return '/';
  let end = target.length;
  for (const mark of ['?', '#']) {
    const at = target.indexOf(mark, start);
    if (at >= 0 && at < end) end = at;
  }
  const path = target.slice(start, end);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** The query part of a request target, without `?` and any `#` fragment; `''` when there is none. */
export function routeQuery(target: string): string {
  const at = target.indexOf('?');
  if (at < 0) return '';
  const hash = target.indexOf('#', at);
  return target.slice(at + 1, hash < 0 ? target.length : hash);
}

function isJsonType(contentType: string | null): boolean {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Reads and parses a JSON request body: 415 unless declared as JSON, 413 past `limit`, 400 when malformed. */
export async function readJson(request: PlainRequest, limit: number): Promise<unknown> {
  if (!isJsonType(request.header('content-type'))) {
    throw new HttpError(415, 'ERR_MEDIA_TYPE', 'Send the body as JSON with Content-Type: application/json');
  }
  const declared = Number(request.header('content-length') ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  const bytes = await request.body();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'ERR_BAD_JSON', 'Request body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new HttpError(400, 'ERR_BAD_JSON', `Request body is not valid JSON: ${(cause as Error).message}`);
  }
  const repeated = repeatedKey(text);
  if (repeated) {
    // A record's position: the array index of a batch, the row key of a keyed body, 0 for one record.
    const [first, second] = repeated;
    const index = repeated.length > 1 ? Number(first) : 0;
    const path = String(repeated.length > 1 ? second : first);
    throw new ValidationError([
      {
        index: Number.isInteger(index) ? index : 0,
        path,
        kind: 'format',
        message: `the key "${path}" appears twice in one object; JSON would keep only the last`,
        received: path,
      },
    ]);
  }
  return value;
}

/** Reads a body stream, cancelling it as soon as it passes `limit`, so an oversized body is never held in memory. */
export async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return concatBytes(chunks, size);
}
