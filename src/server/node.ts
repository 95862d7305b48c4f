import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MAX_BODY_BYTES, PLAIN, type FetchHandler, type PlainHandler } from './handler.js';
import { errorResponse, HttpError, routePath, routeQuery, type PlainRequest } from './http.js';
import { positiveOption } from './limits.js';
import { hangUpSignal, headerOf, mustClose, readBody, send, sendPlain, toRequest } from './node-io.js';

/**
 * The tiny Node adapter: node:http in front of a Fetch API handler. It bounds how long a client
 * may take over its headers, its body and an idle keep-alive connection, enforces the body
 * limit while the body streams in, and turns a hang-up into the request's AbortSignal.
 */

/** Where `serve` listens, how much body it accepts and how long it waits for a slow client. */
export interface ServeOptions {
  /** Interface to listen on. Default `127.0.0.1` (loopback only): exposing it is an explicit choice. */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Largest request body, in bytes. Default: the handler's `maxBodyBytes` when it comes from `createFetchHandler`, else 1 MiB. */
  maxBodyBytes?: number;
  /** Most time to receive a request's headers, in ms; Node then answers a bare 408 and closes. Default 10,000. */
  headersTimeoutMs?: number;
  /** Most time to receive a whole request, headers and body, in ms (a bare 408 from Node). Default 30,000; at least `headersTimeoutMs`. */
  requestTimeoutMs?: number;
  /** Longest pause between two pieces of a body, in ms; 408 `ERR_BODY_TIMEOUT` JSON and the connection closes. Default 10,000. */
  bodyTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open for its next request, in ms. Default 5,000. */
  keepAliveTimeoutMs?: number;
}

/** Defaults of the `serve` timeouts, in ms. */
export const DEFAULT_SERVE_TIMEOUTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  bodyTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
} as const;

/** A running server. */
export interface ServeHandle {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, for clients. */
  readonly url: string;
  /** Stops accepting connections, ends idle keep-alive ones and resolves when the server is closed. */
  close(): Promise<void>;
}

/** Serves `handler` over node:http and resolves once it is listening. */
export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<ServeHandle> {
  const host = options.host ?? '127.0.0.1';
  const plain = (handler as { [PLAIN]?: PlainHandler })[PLAIN];
  positiveOption('maxBodyBytes', options.maxBodyBytes);
  const limit = options.maxBodyBytes ?? plain?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const t = timeouts(options);
  let origin = '';
  const server = createServer(
    {
      headersTimeout: t.headersTimeoutMs,
      requestTimeout: t.requestTimeoutMs,
      keepAliveTimeout: t.keepAliveTimeoutMs,
      // Node checks the two timeouts above only this often (30 s by default): a quarter of the shorter keeps them close to exact.
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(t.headersTimeoutMs / 4))),
    },
    (req, res) => {
      handle(handler, plain, req, res, origin, limit, t.bodyTimeoutMs).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    server,
    host,
    port,
    url: origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

type Timeouts = { -readonly [K in keyof typeof DEFAULT_SERVE_TIMEOUTS]: number };

function timeouts(options: ServeOptions): Timeouts {
  const t: Timeouts = { ...DEFAULT_SERVE_TIMEOUTS };
  for (const key of Object.keys(t) as Array<keyof Timeouts>) {
    positiveOption(key, options[key], 2_147_483_647);
    t[key] = options[key] ?? t[key];
  }
  // Node refuses a headers timeout above the request timeout: a default request timeout grows to fit, an explicit one is an error.
  if (options.requestTimeoutMs === undefined) t.requestTimeoutMs = Math.max(t.requestTimeoutMs, t.headersTimeoutMs);
  if (t.headersTimeoutMs > t.requestTimeoutMs) {
    throw new RangeError(`headersTimeoutMs (${t.headersTimeoutMs}) must not exceed requestTimeoutMs (${t.requestTimeoutMs})`);
  }
  return t;
}

async function handle(
  handler: FetchHandler,
  plain: PlainHandler | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  limit: number,
  bodyTimeoutMs: number,
): Promise<void> {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  if (plain) {
    // Our own handler: the same routes without building a Request and a Response per call. The
    // body is read only when a route asks, so a request refused early (503, 404) costs no buffer.
    let body: Promise<Uint8Array> | undefined;
    let state: Parameters<typeof mustClose>[1] = hasBody ? 'unread' : 'none';
    const read = () => {
      state = 'failed';
      return readBody(req, limit, bodyTimeoutMs).then((bytes) => {
        state = 'read';
        return bytes;
      });
    };
    const url = req.url ?? '/';
    // Plain data properties only: a getter in this per-request literal made GC take several times longer.
    const request: PlainRequest = {
      method: req.method ?? 'GET',
      path: routePath(url),
      query: routeQuery(url),
      header: (name) => headerOf(req, name),
      body: () => (body ??= hasBody ? read() : Promise.resolve(new Uint8Array(0))),
      signal: hangUpSignal(req),
    };
    const out = await plain.run(request);
    return sendPlain(out, res, mustClose(req, state));
  }
  let body: Uint8Array | undefined;
  try {
    body = hasBody ? await readBody(req, limit, bodyTimeoutMs) : undefined;
  } catch (error) {
    return sendPlain(errorResponse(error), res, true);
  }
  let request: Request;
  try {
    request = toRequest(req, origin, body, hangUpSignal(req));
  } catch {
    // e.g. TRACE, which node:http accepts and the Fetch API refuses.
    return sendPlain(errorResponse(new HttpError(400, 'ERR_BAD_REQUEST', 'Request not representable as a Fetch API Request')), res, false);
  }
  let response: Response;
  try {
    response = await handler(request);
  } catch (error) {
    const out = errorResponse(error);
    response = new Response(out.body, { status: out.status, headers: out.headers });
  }
  await send(response, res, req);
}
