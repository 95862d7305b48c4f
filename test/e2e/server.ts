import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

/**
 * A tiny static server for the e2e tests, on 127.0.0.1 and a free port. Every URL is
 * `/<flags>/<site>/<file>`: the site is one of the served folders and the flags (`-` for none,
 * or a comma list) change the responses, so parallel tests never share server state:
 *
 * - `csp`   `Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'`
 * - `coi`   COOP same-origin + COEP require-corp (a cross-origin-isolated page)
 * - `model404`     every `.onnx` answers 404
 * - `modelcorrupt` every `.onnx` is served with its last byte flipped (sha256 mismatch)
 * - `slow`  `.onnx` and `.wasm` trickle out in chunks, so the loading state stays visible
 * - `t-<name>` no effect but a tag: `/__log/t-<name>` lists what was requested under it
 *
 * Serving each site below two path segments also proves it works from a sub-path.
 */

export const CSP = "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** One answered request, as `/__log/<tag>` lists it. */
export interface LoggedRequest {
  path: string;
  status: number;
  /** Body bytes of a 200 answer to GET (0 otherwise). */
  bytes: number;
  /** The Referer: the page's URL for a page's fetch, the worker script's for a worker's. */
  referer: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
};

const FLAGS = new Set(['csp', 'coi', 'model404', 'modelcorrupt', 'slow']);

export async function startStaticServer(sites: Record<string, string>): Promise<StaticServer> {
  const logs = new Map<string, LoggedRequest[]>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path.startsWith('/__log/')) return send(res, 200, 'application/json', JSON.stringify(logs.get(path.slice(7)) ?? []));
    const tag = path
      .split('/')[1]
      ?.split(',')
      .find((f) => f.startsWith('t-'));
    if (tag) {
      res.on('finish', () => {
        const bytes = req.method === 'GET' && res.statusCode === 200 ? Number(res.getHeader('content-length') ?? 0) : 0;
        const list = logs.get(tag) ?? [];
        list.push({ path, status: res.statusCode, bytes, referer: req.headers.referer ?? '' });
        logs.set(tag, list);
      });
    }
    handle(req, res, sites).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  // Keep-alive sockets would hold close() open; the tests never need them after a page is gone.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, sites: Record<string, string>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const [, flagPart = '', site = '', ...rest] = url.pathname.split('/');
  const flags = new Set(flagPart === '-' ? [] : flagPart.split(','));
  const root = sites[site];
  if (!root || [...flags].some((f) => !FLAGS.has(f) && !f.startsWith('t-')) || (req.method !== 'GET' && req.method !== 'HEAD')) {
    return send(res, 404, 'text/plain', 'not found');
  }
  const headers: Record<string, string> = {};
  if (flags.has('csp')) headers['content-security-policy'] = CSP;
  if (flags.has('coi')) {
    headers['cross-origin-opener-policy'] = 'same-origin';
    headers['cross-origin-embedder-policy'] = 'require-corp';
  }
  const relative = decodeURIComponent(rest.join('/')) || 'index.html';
  const file = normalize(join(root, relative));
  if (file !== resolve(root) && !file.startsWith(resolve(root) + sep)) return send(res, 404, 'text/plain', 'not found', headers);
  const info = await stat(file).catch(() => undefined);
  const path = info?.isDirectory() ? join(file, 'index.html') : file;
  const ext = extname(path);
  if (ext === '.onnx' && flags.has('model404')) return send(res, 404, 'text/plain', 'model not found (test flag model404)', headers);
  let body = await readFile(path).catch(() => undefined);
  if (!body) return send(res, 404, 'text/plain', 'not found', headers);
  if (ext === '.onnx' && flags.has('modelcorrupt')) {
    body = Buffer.from(body);
    body[body.length - 1]! ^= 0xff;
  }
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  Object.assign(headers, { etag, 'cache-control': 'no-cache' });
  if (req.headers['if-none-match'] === etag) {
    head(res, 304, headers);
    return void res.end();
  }
  const type = TYPES[ext] ?? 'application/octet-stream';
  if (flags.has('slow') && (ext === '.onnx' || ext === '.wasm')) return trickle(res, body, type, headers);
  send(res, 200, type, req.method === 'HEAD' ? '' : body, { ...headers, 'content-length': String(body.length) });
}

/** Headers go through setHeader so the request log can read content-length back. */
function head(res: ServerResponse, status: number, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.writeHead(status);
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  head(res, status, { 'content-type': type, ...headers });
  res.end(body);
}

/** Sends `body` in 20 pieces 60 ms apart (about 1.2 s), with a content-length so progress has a total. */
async function trickle(res: ServerResponse, body: Buffer, type: string, headers: Record<string, string>): Promise<void> {
  head(res, 200, { 'content-type': type, 'content-length': String(body.length), ...headers });
  const step = Math.ceil(body.length / 20);
  for (let at = 0; at < body.length && !res.destroyed; at += step) {
    res.write(body.subarray(at, at + step));
    await new Promise((ok) => setTimeout(ok, 60));
  }
  res.end();
}
