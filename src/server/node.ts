import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MAX_BODY_BYTES, PLAIN, type FetchHandler, type PlainHandler } from './handler.js';
import { errorResponse, HttpError, routePath, tooLarge, type PlainResponse } from './http.js';

/**
 * The tiny Node adapter: node:http in front of a Fetch API handler. It enforces the body limit
 * while the body streams in, so an oversized or endless upload is cut off at the limit instead
 * of being buffered.
 */

/** Where `serve` listens and how much body it accepts. */
export interface ServeOptions {
  /** Interface to listen on. Default `127.0.0.1` (loopback only): exposing it is an explicit choice. */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Largest request body, in bytes. Default: the handler's `maxBodyBytes` when it comes from `createFetchHandler`, else 1 MiB. */
  maxBodyBytes?: number;
}

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
  const limit = options.maxBodyBytes ?? plain?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let origin = '';
  const server = createServer((req, res) => {
    handle(handler, plain, req, res, origin, limit).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
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

async function handle(
  handler: FetchHandler,
  plain: PlainHandler | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  limit: number,
): Promise<void> {
  let body: Uint8Array | undefined;
  try {
    body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req, limit);
  } catch (error) {
    // The rest of the upload is still on its way: closing the connection is the only way to refuse it.
    return sendPlain(errorResponse(error), res, true);
  }
  if (plain) {
    // Our own handler: the same routes without building a Request and a Response per call.
    const bytes = body ?? new Uint8Array(0);
    const request = { method: req.method ?? 'GET', path: routePath(req.url ?? '/'), header: (name: string) => headerOf(req, name), body: async () => bytes };
    return sendPlain(await plain.run(request), res, false);
  }
  let request: Request;
  try {
    request = toRequest(req, origin, body);
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

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

function sendPlain(out: PlainResponse, res: ServerResponse, close: boolean): void {
  const headers: Record<string, string> = close ? { ...out.headers, connection: 'close' } : out.headers;
  // A string body lets node:http send head and body in one write.
  if (out.body !== null) headers['content-length'] = String(Buffer.byteLength(out.body));
  res.writeHead(out.status, headers);
  res.end(out.body ?? undefined);
}

function toRequest(req: IncomingMessage, origin: string, body: Uint8Array | undefined): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  // The URL is built from the listening address, not the Host header, which the client controls.
  const url = new URL(`${origin}${req.url?.startsWith('/') ? req.url : '/'}`);
  return new Request(url, { method: req.method ?? 'GET', headers, body: body && body.byteLength ? (body as Uint8Array<ArrayBuffer>) : undefined });
}

/** Buffers the body up to `limit` bytes; rejects with 413 the moment the declared or streamed size passes it. */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
    // A client that hangs up mid-body emits neither 'end' nor always 'error'; without this the promise would leak.
    req.once('close', () => {
      if (!req.complete) reject(new HttpError(400, 'ERR_BAD_REQUEST', 'The request body was cut off'));
    });
  });
}

async function send(response: Response, res: ServerResponse, req: IncomingMessage): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  const body = response.body && req.method !== 'HEAD' ? await bodyOf(response) : undefined;
  if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  res.writeHead(response.status, headers);
  res.end(body);
}

/** Text goes out as a string because node:http then sends head and body in one write, not a writev of two. */
async function bodyOf(response: Response): Promise<string | Uint8Array> {
  const type = (response.headers.get('content-type') ?? '').toLowerCase();
  // JSON is UTF-8 by definition (RFC 8259); other text only when it says so, since text() decodes UTF-8.
  const utf8 = /^application\/([a-z0-9.-]+\+)?json/.test(type) || type.includes('charset=utf-8');
  return utf8 ? response.text() : new Uint8Array(await response.arrayBuffer());
}
