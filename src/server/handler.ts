import type { Predictor } from '../predictor.js';
import {
  errorResponse,
  HttpError,
  json,
  overloaded,
  readJson,
  readLimited,
  routePath,
  routeQuery,
  type PlainRequest,
  type PlainResponse,
} from './http.js';
import { positiveOption, requestTimeoutMs, TIMEOUT_HEADER, timeoutOption, withDeadline } from './limits.js';
import type { HandlerRoute, HandlerRoutes, RouteContext } from './routes.js';

/**
 * The HTTP face of a Predictor as a Fetch API handler, so Node (through `serve`), Deno, Bun and
 * edge platforms all run the same routes. Besides the concurrency count it holds no state
 * between requests: scale it by running more processes or isolates. No `node:` imports here, ever.
 */

/** Limits, CORS and routes of `createFetchHandler`. */
export interface FetchHandlerOptions {
  /** Largest request body accepted, in bytes (413 above). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Most records (or makecalc rows) per request (413 above). Default 10,000. */
  maxBatchSize?: number;
  /** Origins allowed to call from a browser: a list of exact origins, or `'*'`. Default: none (no CORS headers). */
  corsOrigins?: readonly string[] | '*';
  /** Extra routes by path, e.g. a model package's own API. They cannot replace `/predict`, `/model` or `/health`. */
  routes?: HandlerRoutes;
  /**
   * Longest a request may take, in ms, from arrival to answer (503 `ERR_TIMEOUT` after). A client
   * may ask for less with `?timeoutMs=` or `X-Timeout-Ms`, never for more. Default none.
   */
  timeoutMs?: number;
  /** Most requests on predicting routes (all but `/health` and `/model`) at once; 503 `ERR_OVERLOADED` past it. Default 64. */
  maxConcurrent?: number;
  /** Seconds in the `Retry-After` of a 503 `ERR_OVERLOADED`. Default 1. */
  retryAfterSeconds?: number;
}

/** A standard Fetch API request handler. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** The routes without Fetch objects, and the body limit; the Node adapter uses both when a handler carries them. */
export interface PlainHandler {
  run(request: PlainRequest): Promise<PlainResponse>;
  maxBodyBytes: number;
}

/** Where a handler from `createFetchHandler` keeps its PlainHandler. Internal. */
export const PLAIN = Symbol('featurecast.plainHandler');

/** Default `maxBodyBytes`; the Node adapter enforces it too, before the handler sees a byte. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Default `maxBatchSize`. */
export const DEFAULT_MAX_BATCH_SIZE = 10_000;
/** Default `maxConcurrent`: with the default body limit, at most 64 MiB of bodies held at once. */
export const DEFAULT_MAX_CONCURRENT = 64;

/** `counted`: runs under `maxConcurrent`; the cheap info routes do not, so health checks pass under load. */
type Route = {
  methods: readonly string[];
  counted: boolean;
  run: (request: PlainRequest, context: RouteContext) => Promise<PlainResponse>;
};

/** Builds the handler for `POST /predict`, `GET /health`, `GET /model` and any extra `routes` (e.g. the bike model's `POST /api/makecalc/`). */
export function createFetchHandler(predictor: Predictor, options: FetchHandlerOptions = {}): FetchHandler {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const run = createRoutes(predictor, options);
  const handler: FetchHandler = async (request) => {
    const out = await run({
      method: request.method,
      path: routePath(request.url),
      query: routeQuery(request.url),
      header: (name) => request.headers.get(name),
      body: () => readLimited(request.body, maxBody),
      signal: request.signal,
    });
    return new Response(out.body, { status: out.status, headers: out.headers });
  };
  const plain: PlainHandler = { run, maxBodyBytes: maxBody };
  return Object.defineProperty(handler, PLAIN, { value: plain });
}

function createRoutes(predictor: Predictor, options: FetchHandlerOptions): PlainHandler['run'] {
  positiveOption('maxBodyBytes', options.maxBodyBytes);
  positiveOption('maxBatchSize', options.maxBatchSize);
  positiveOption('maxConcurrent', options.maxConcurrent);
  positiveOption('retryAfterSeconds', options.retryAfterSeconds);
  timeoutOption('timeoutMs', options.timeoutMs);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxBatch = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const cors = corsPolicy(options.corsOrigins);
  // Serialised once: the bundle's info cannot change while the predictor lives.
  const modelBody = JSON.stringify(predictor.info);
  const health = JSON.stringify({ status: 'ok', model: predictor.info.name, version: predictor.info.version });
  const raw = (body: string): PlainResponse => ({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body });
  let inFlight = 0;

  const routes = new Map<string, Route>([
    [
      '/predict',
      { methods: ['POST'], counted: true, run: async (_, context) => json(200, await predict(await context.json(), context.signal)) },
    ],
    ['/health', { methods: ['GET', 'HEAD'], counted: false, run: async () => raw(health) }],
    ['/model', { methods: ['GET', 'HEAD'], counted: false, run: async () => raw(modelBody) }],
  ]);
  for (const [key, route] of extraRoutes(options.routes ?? {})) {
    if (routes.has(key)) throw new RangeError(`routes: ${key} is a built-in route`);
    routes.set(key, {
      methods: route.methods,
      counted: true,
      run: async (request, context) => json(200, await route.run(request, context)),
    });
  }

  async function predict(body: unknown, signal: AbortSignal): Promise<unknown> {
    if (!Array.isArray(body)) return predictor.predict(body, { signal });
    if (body.length > maxBatch) {
      throw new HttpError(
        413,
        'ERR_BATCH_TOO_LARGE',
        `At most ${maxBatch} records per request, got ${body.length}`,
        {},
        { limit: maxBatch },
      );
    }
    return predictor.predictBatch(body, { signal });
  }

  function context(request: PlainRequest, signal: AbortSignal): RouteContext {
    return { predictor, signal, maxBatchSize: maxBatch, json: () => readJson(request, maxBody) };
  }

  async function dispatch(request: PlainRequest): Promise<PlainResponse> {
    const route = routes.get(request.path);
    if (!route) throw new HttpError(404, 'ERR_NOT_FOUND', `No route ${request.path}; try POST /predict, GET /model or GET /health`);
    const allow = [...route.methods, 'OPTIONS'].join(', ');
    if (request.method === 'OPTIONS') return preflight(request, allow);
    if (!route.methods.includes(request.method)) {
      throw new HttpError(405, 'ERR_METHOD', `${request.method} is not allowed here; use ${route.methods[0]}`, { allow });
    }
    const timeoutMs = requestTimeoutMs(request, options.timeoutMs);
    // Refused before the body is read: shedding load must cost less than serving it.
    if (route.counted && inFlight >= maxConcurrent) {
      throw overloaded(retryAfter, `The server is at its limit of ${maxConcurrent} requests at once; retry in ${retryAfter} s`);
    }
    if (route.counted) inFlight++;
    try {
      const response =
        timeoutMs === undefined
          ? await route.run(request, context(request, request.signal))
          : await withDeadline(request.signal, timeoutMs, (signal) => route.run(request, context(request, signal)));
      return request.method === 'HEAD' ? { ...response, body: null } : response;
    } finally {
      if (route.counted) inFlight--;
    }
  }

  function preflight(request: PlainRequest, allow: string): PlainResponse {
    const headers: Record<string, string> = { allow };
    const origin = request.header('origin');
    if (origin !== null && cors.allows(origin) && request.header('access-control-request-method') !== null) {
      headers['access-control-allow-methods'] = allow;
      headers['access-control-allow-headers'] = `content-type, ${TIMEOUT_HEADER}`;
      headers['access-control-max-age'] = '600';
    }
    return { status: 204, headers, body: null };
  }

  return async (request) => {
    let response: PlainResponse;
    try {
      response = await dispatch(request);
    } catch (error) {
      response = errorResponse(error);
    }
    const origin = request.header('origin');
    if (origin !== null) cors.decorate(response.headers, origin);
    return response;
  };
}

/** Extra routes by normalised path; a later source replaces an earlier one's route. */
function extraRoutes(...sources: HandlerRoutes[]): Map<string, HandlerRoute> {
  const out = new Map<string, HandlerRoute>();
  for (const source of sources) {
    for (const [path, route] of Object.entries(source)) {
      if (!path.startsWith('/')) throw new RangeError(`routes: a path starts with "/", got "${path}"`);
      out.set(routePath(path), route);
    }
  }
  return out;
}

function corsPolicy(origins: readonly string[] | '*' | undefined) {
  const any = origins === '*';
  const list = new Set(any || !origins ? [] : origins);
  const allows = (origin: string) => any || list.has(origin);
  return {
    allows,
    decorate(headers: Record<string, string>, origin: string) {
      if (!allows(origin)) return;
      headers['access-control-allow-origin'] = any ? '*' : origin;
      // A per-origin answer must not be served from a shared cache to another origin.
      if (!any) headers.vary = headers.vary ? `${headers.vary}, Origin` : 'Origin';
      headers['access-control-expose-headers'] = 'content-type, retry-after';
    },
  };
}
