import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HttpError, tooLarge, type PlainResponse } from './http.js';

/**
 * node:http ↔ handler plumbing for `serve`: headers, the body read under its size and idle
 * limits, the client's hang-up as an AbortSignal, and writing answers back.
 */

/** A header by lowercase name, repeated ones joined, or null. */
export function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

// The hang-up signal of each open connection; gone with the socket.
const hangUps = new WeakMap<Socket, AbortSignal>();

/**
 * A signal that aborts when the client's connection closes. One per connection, not per request
 * (creating an AbortSignal costs a noticeable share of a small request): a
 * connection carries one request at a time, and its close abandons whichever is in progress.
 */
export function hangUpSignal(req: IncomingMessage): AbortSignal {
  const socket = req.socket;
  let signal = hangUps.get(socket);
  if (!signal) {
    const controller = new AbortController();
    signal = controller.signal;
    hangUps.set(socket, signal);
    socket.once('close', () => controller.abort());
  }
  return signal;
}

/** Writes a handler's answer; `close` ends the connection after it (the only way to refuse the rest of a body). */
export function sendPlain(out: PlainResponse, res: ServerResponse, close: boolean): void {
  const headers: Record<string, string> = close ? { ...out.headers, connection: 'close' } : out.headers;
  // A string body lets node:http send head and body in one write.
  if (out.body !== null) headers['content-length'] = String(Buffer.byteLength(out.body));
  res.writeHead(out.status, headers);
  res.end(out.body ?? undefined);
}

/** Largest unread body node:http may discard to keep the connection, when a route answered without reading it. */
const DISCARDABLE_BYTES = 64 * 1024;

/**
 * Whether to close the connection after an answer, given what became of the body: one that
 * failed (413, 408, cut off) must be refused; one never read is discarded by node:http when
 * small and declared, else refused too, so an answer that came early (503, 404) costs no upload.
 */
export function mustClose(req: IncomingMessage, body: 'none' | 'unread' | 'read' | 'failed'): boolean {
  if (body === 'failed') return true;
  if (body !== 'unread') return false;
  const declared = Number(req.headers['content-length'] ?? NaN);
  return !(declared <= DISCARDABLE_BYTES);
}

/**
 * Buffers the body up to `limit` bytes: 413 the moment the declared or streamed size passes it,
 * 408 `ERR_BODY_TIMEOUT` when no byte arrives for `idleMs` (a body dribbled to hold the
 * connection and its buffer).
 */
export function readBody(req: IncomingMessage, limit: number, idleMs: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error: HttpError) => {
      clearTimeout(idle);
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      reject(error);
    };
    const idle = setTimeout(
      () => stop(new HttpError(408, 'ERR_BODY_TIMEOUT', `No request body data for ${idleMs} ms`, {}, { timeoutMs: idleMs })),
      idleMs,
    );
    const onData = (chunk: Buffer) => {
      idle.refresh();
      size += chunk.byteLength;
      if (size > limit) return stop(tooLarge(limit));
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      clearTimeout(idle);
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.once('error', (error) => {
      clearTimeout(idle);
      reject(error);
    });
    // A client that hangs up mid-body emits neither 'end' nor always 'error'; without this the promise would leak.
    req.once('close', () => {
      if (!req.complete) stop(new HttpError(400, 'ERR_BAD_REQUEST', 'The request body was cut off'));
    });
  });
}

/** A Fetch Request for a foreign handler; the URL comes from the listening address, not the Host header, which the client controls. */
export function toRequest(req: IncomingMessage, origin: string, body: Uint8Array | undefined, signal: AbortSignal): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const url = new URL(`${origin}${req.url?.startsWith('/') ? req.url : '/'}`);
  return new Request(url, {
    method: req.method ?? 'GET',
    headers,
    signal,
    body: body?.byteLength ? (body as Uint8Array<ArrayBuffer>) : undefined,
  });
}

/** Writes a foreign handler's Fetch Response. */
export async function send(response: Response, res: ServerResponse, req: IncomingMessage): Promise<void> {
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
