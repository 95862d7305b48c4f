import type { CallOptions, Predictor } from '../predictor.js';
import { errorResponse, HttpError, json, readJson, readLimited, routePath, type PlainRequest, type PlainResponse } from './http.js';

/**
 * The HTTP face of a Predictor as a Fetch API handler, so Node (through `serve`), Deno, Bun and
 * edge platforms all run the same routes. It holds no per-request state: scale it by running
 * more processes or isolates. No `node:` imports here, ever.
 */

/** Limits, CORS and routes of `createFetchHandler`. */
export interface FetchHandlerOptions {
  /** Largest request body accepted, in bytes (413 above). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Most records (or makecalc rows) per request (413 above). Default 10,000. */
  maxBatchSize?: number;
  /** Origins allowed to call from a browser: a list of exact origins, or `'*'`. Default: none (no CORS headers). */
  corsOrigins?: readonly string[] | '*';
  /** Extra routes by path (without a trailing slash), e.g. a model package's own request shapes. */
  routes?: Readonly<Record<string, Route>>;
  /** Per-request prediction timeout in milliseconds (503 after). Default none. */
  timeoutMs?: number;
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

/** An extra route: its methods, and what answers a request (the value is sent as JSON with status 200; throw HttpError or ValidationError for errors). */
export interface Route {
  methods: readonly string[];
  run(context: RouteContext): Promise<unknown>;
}

/** What a route gets: the predictor, the request's JSON body, and the handler's limits. */
export interface RouteContext {
  predictor: Predictor;
  /** The parsed JSON body (400 when it is not JSON, 413 above maxBodyBytes). */
  body(): Promise<unknown>;
  maxBatchSize: number;
  /** Options to pass on to predict / predictBatch (the handler's timeout). */
  call: CallOptions;
}

type PlainRoute = { methods: readonly string[]; run: (request: PlainRequest) => Promise<PlainResponse> };

/** Builds the handler for `POST /predict`, `GET /health`, `GET /model` and any extra `routes`. */
export function createFetchHandler(predictor: Predictor, options: FetchHandlerOptions = {}): FetchHandler {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const run = createRoutes(predictor, options);
  const handler: FetchHandler = async (request) => {
    const out = await run({
      method: request.method,
      path: routePath(request.url),
      header: (name) => request.headers.get(name),
      body: () => readLimited(request.body, maxBody),
    });
    return new Response(out.body, { status: out.status, headers: out.headers });
  };
  const plain: PlainHandler = { run, maxBodyBytes: maxBody };
  return Object.defineProperty(handler, PLAIN, { value: plain });
}

function createRoutes(predictor: Predictor, options: FetchHandlerOptions): PlainHandler['run'] {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxBatch = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  const call = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const cors = corsPolicy(options.corsOrigins);
  // Serialised once: the bundle's info cannot change while the predictor lives.
  const modelBody = JSON.stringify(predictor.info);
  const health = JSON.stringify({ status: 'ok', model: predictor.info.name, version: predictor.info.version });
  const raw = (body: string): PlainResponse => ({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body });

  const routes = new Map<string, PlainRoute>([
    ['/predict', { methods: ['POST'], run: async (request) => json(200, await predict(await readJson(request, maxBody))) }],
    ['/health', { methods: ['GET', 'HEAD'], run: async () => raw(health) }],
    ['/model', { methods: ['GET', 'HEAD'], run: async () => raw(modelBody) }],
  ]);
  for (const [path, route] of Object.entries(options.routes ?? {})) {
    routes.set(path.replace(/\/+$/, ''), {
      methods: route.methods,
      run: async (request) => json(200, await route.run({ predictor, body: () => readJson(request, maxBody), maxBatchSize: maxBatch, call })),
    });
  }

  async function predict(body: unknown): Promise<unknown> {
    if (!Array.isArray(body)) return predictor.predict(body, call);
    if (body.length > maxBatch) {
      throw new HttpError(413, 'ERR_BATCH_TOO_LARGE', `At most ${maxBatch} records per request, got ${body.length}`, {}, { limit: maxBatch });
    }
    return predictor.predictBatch(body, call);
  }

  async function dispatch(request: PlainRequest): Promise<PlainResponse> {
    const route = routes.get(request.path);
    if (!route) throw new HttpError(404, 'ERR_NOT_FOUND', `No route ${request.path}; try POST /predict, GET /model or GET /health`);
    const allow = [...route.methods, 'OPTIONS'].join(', ');
    if (request.method === 'OPTIONS') return preflight(request, allow);
    if (!route.methods.includes(request.method)) {
      throw new HttpError(405, 'ERR_METHOD', `${request.method} is not allowed here; use ${route.methods[0]}`, { allow });
    }
    const response = await route.run(request);
    return request.method === 'HEAD' ? { ...response, body: null } : response;
  }

  function preflight(request: PlainRequest, allow: string): PlainResponse {
    const headers: Record<string, string> = { allow };
    const origin = request.header('origin');
    if (origin !== null && cors.allows(origin) && request.header('access-control-request-method') !== null) {
      headers['access-control-allow-methods'] = allow;
      headers['access-control-allow-headers'] = 'content-type';
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
      headers['access-control-expose-headers'] = 'content-type';
    },
  };
}
