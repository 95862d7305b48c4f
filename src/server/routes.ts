import type { Predictor } from '../predictor.js';
import type { PlainRequest } from './http.js';

/**
 * The shape of a route a model package adds to `createFetchHandler` through its `routes`
 * option (e.g. the bike model's `POST /api/makecalc/`). A route gets the request and a context
 * with the predictor, this request's cancellation signal and the handler's limits; it answers
 * with a JSON value or throws. Types only, so a package can depend on it without any runtime.
 */

/** What a route sees of a request: method, path, query, headers, body bytes and the client's signal. */
export type RouteRequest = PlainRequest;

/** What a route gets besides the request. */
export interface RouteContext {
  /** The handler's predictor. */
  readonly predictor: Predictor;
  /**
   * Aborts when the client disconnects or the request's `timeoutMs` passes. Pass it to every
   * predictor call (`{ signal }`) so abandoned work stops.
   */
  readonly signal: AbortSignal;
  /** The handler's `maxBatchSize`: refuse more records than this with 413 `ERR_BATCH_TOO_LARGE`. */
  readonly maxBatchSize: number;
  /** The body parsed as JSON: 415 unless declared JSON, 413 past `maxBodyBytes`, 400 when malformed. */
  json(): Promise<unknown>;
}

/**
 * An extra route. Whatever `run` resolves to is answered as 200 JSON; a thrown `ValidationError`
 * is a 400 with its issues, a `TimeoutError` a 503, anything unexpected a bare 500. Every call
 * counts against the handler's `maxConcurrent` and honours the request's `timeoutMs`.
 */
export interface HandlerRoute {
  /** Methods served, upper case (e.g. `['POST']`); `OPTIONS` is answered for every route. */
  readonly methods: readonly string[];
  /** Answers one request. */
  run(request: RouteRequest, context: RouteContext): Promise<unknown>;
}

/** Extra routes by path (`'/api/makecalc'`; a trailing slash is ignored, as in requests). */
export type HandlerRoutes = Readonly<Record<string, HandlerRoute>>;
